"""The console's web UI in a real browser (headless Chromium through chromedriver): every page, its forms,
a real defender and its audits, the CSV export, the protected task compared with the CLI's, the Dockerfile zip,
log out, and an auditor refused by the API's own role check. Screenshots of every page, at 1,280 px and at a
phone's width, go to $SCUTE_UI_SCREENSHOTS (default: the test's temporary folder)."""
import csv
import io
import os
import pathlib
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile

import pytest

from conftest import ROOT
from test_e2e_console_defender import Console, PASSWORD, defender, wait_connected

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

PAGES = ["/dashboard", "/monitor/events", "/monitor/compliance", "/manage/defenders", "/manage/defenders/deploy",
         "/defend/runtime", "/collections", "/users", "/settings"]
SECRET_ARN = "arn:aws:ssm:eu-west-1:123456789012:parameter/scute/install-bundle"


class UIConsole(Console):
    """The e2e console, started with a defender bundle so that the Dockerfile embed answers."""

    def __init__(self, scute, data, bundle):
        super().__init__(scute, data)
        self.bundle = bundle
        self.extra = ["--defender-bundle", bundle]


@pytest.fixture
def downloads(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def shots(tmp_path):
    folder = pathlib.Path(os.environ.get("SCUTE_UI_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(tmp_path, downloads):
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("chromium and chromedriver are needed (scripts/test.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                f"--user-data-dir={tmp_path / 'chromium'}"]:
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def console(scute, tmp_path):
    bundle = tmp_path / "defender-bundle.tar.gz"
    # Any bytes do as a defender bundle for the app-embedded zip (it is copied into the zip as is).
    bundle.write_bytes(b"not really a bundle")
    c = UIConsole(scute, str(tmp_path / "console"), str(bundle))
    os.makedirs(c.data)
    c.start()
    yield c
    c.stop()


def no_browser_errors(browser, where, refused_forms=False):
    """Nothing in the browser's log; with `refused_forms`, only the status of a form the console refused (a
    re-rendered form with its messages answers 400 or 403, which Chromium logs)."""
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    if refused_forms:
        errors = [e for e in errors if "the server responded with a status of 4" not in e["message"]]
    assert not errors, f"{where}: {errors}"


def log_in(browser, console, user, password):
    browser.get(f"{console.base}/")
    wait = WebDriverWait(browser, 15)
    wait.until(EC.visibility_of_element_located((By.ID, "user"))).send_keys(user)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "#loginForm button").click()
    wait.until(EC.presence_of_element_located((By.ID, "logout")))


def fill(browser, element_id, text):
    field = browser.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def session_get(browser, console, path):
    """GET `path` with the browser's session cookie: for downloads whose bytes the test compares."""
    cookie = browser.get_cookie("scute_session")
    req = urllib.request.Request(f"{console.base}{path}")
    req.add_header("cookie", f"scute_session={cookie['value']}")
    with urllib.request.urlopen(req, timeout=20) as r:
        return r.status, dict(r.headers), r.read()


def test_every_workflow_in_a_real_browser(scute, console, browser, downloads, shots, tmp_path):
    token = console.token()
    wait = WebDriverWait(browser, 15)

    # Not signed in: every page sends the browser to the login page. A wrong password is refused at the form.
    browser.get(f"{console.base}/defend/runtime")
    wait.until(EC.visibility_of_element_located((By.ID, "user")))
    assert browser.current_url.endswith("/login")
    fill(browser, "user", "admin")
    fill(browser, "password", "wrong-password")
    browser.find_element(By.CSS_SELECTOR, "#loginForm button").click()
    assert wait.until(EC.visibility_of_element_located((By.ID, "loginError"))).text
    log_in(browser, console, "admin", PASSWORD)
    cookie = browser.get_cookie("scute_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "Dashboard" in browser.title

    # A collection through its form.
    browser.get(f"{console.base}/collections")
    fill(browser, "collectionName", "ui-apps")
    fill(browser, "collectionDescription", "made in the browser")
    fill(browser, "collectionAppIDs", "ui-*\nother-app")
    browser.find_element(By.ID, "saveCollection").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "collectionTable"), "ui-apps"))
    stored = console.call("GET", "/collections/ui-apps", token)
    assert stored["appIDs"] == ["ui-*", "other-app"] and stored["description"] == "made in the browser"

    # A runtime rule through its form; a bad name is refused at the field, and nothing is stored.
    browser.get(f"{console.base}/defend/runtime")
    fill(browser, "ruleName", "bad name!")
    browser.find_element(By.ID, "saveRule").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#ruleForm .field-error")))
    assert console.call("GET", "/policies/runtime", token)["rules"] == []
    fill(browser, "ruleName", "ui-deny-whoami")
    fill(browser, "ruleAppIDs", "ui-demo")
    Select(browser.find_element(By.ID, "p_effect")).select_by_value("prevent")
    fill(browser, "p_denied", "whoami")
    browser.find_element(By.ID, "saveRule").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "ruleTable"), "ui-deny-whoami"))
    rules = console.call("GET", "/policies/runtime", token)["rules"]
    assert [r["name"] for r in rules] == ["ui-deny-whoami"]
    assert rules[0]["processes"] == {"effect": "prevent", "denied": ["whoami"]}
    assert rules[0]["collections"] == [{"appIDs": ["ui-demo"]}]

    # A second rule, moved to the top with the reorder buttons.
    fill(browser, "ruleName", "ui-dns")
    fill(browser, "ruleAppIDs", "nothing-*")
    Select(browser.find_element(By.ID, "d_effect")).select_by_value("alert")
    fill(browser, "d_denied", "evil.example")
    browser.find_element(By.ID, "saveRule").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "ruleTable"), "ui-dns"))
    browser.find_element(By.CSS_SELECTOR, 'button[aria-label="Move ui-dns up"]').click()
    wait.until(lambda d: [r["name"] for r in console.call("GET", "/policies/runtime", token)["rules"]] == ["ui-dns", "ui-deny-whoami"])

    # A real defender: seen connected, and the audit it produced.
    # Runs whoami (refused by the rule: PermissionError) for a minute, so the defender stays connected.
    script = ("import subprocess, time\nfor i in range(600):\n    try:\n        subprocess.run(['/usr/bin/whoami'], "
              "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n    except PermissionError:\n        pass\n"
              "    time.sleep(0.1)\n")
    proc = defender([scute, "defend"], console, token, "ui-demo", script, tmp_path, str(tmp_path / "ui.jsonl"))
    try:
        wait_connected(console, token, "ui-demo")
        browser.get(f"{console.base}/manage/defenders")
        table = wait.until(EC.visibility_of_element_located((By.ID, "defTable")))
        assert "ui-demo" in table.text and "connected for" in table.text
        assert console.audits_eventually(token, "appID=ui-demo&rule=ui-deny-whoami", timeout=15)
        browser.get(f"{console.base}/monitor/events")
        fill(browser, "appID", "ui-demo")
        fill(browser, "rule", "ui-deny-whoami")
        Select(browser.find_element(By.ID, "effect")).select_by_value("prevent")
        browser.find_element(By.ID, "filter").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "auditTable"), "/usr/bin/whoami"))
        assert "appID=ui-demo" in browser.current_url
        # The export is exactly the filtered set, as the API writes it.
        href = browser.find_element(By.ID, "exportCSV").get_attribute("href")
        path = href[len(console.base):]
        status, headers, body = session_get(browser, console, path)
        assert status == 200 and "runtime-audits.csv" in headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert rows and all(r["appID"] == "ui-demo" and r["rule"] == "ui-deny-whoami" and r["effect"] == "prevent" for r in rows)
        req = urllib.request.Request(f"{console.base}/api/v1/audits/runtime?appID=ui-demo&rule=ui-deny-whoami&effect=prevent"
                                     "&format=csv&limit=100000")
        req.add_header("authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=10) as r:
            api_rows = list(csv.DictReader(io.StringIO(r.read().decode())))
        assert {r["id"] for r in api_rows} >= {r["id"] for r in rows}
        # Each row leads to the event's own page, with every field of the audit; keyboard only.
        link = browser.find_element(By.CSS_SELECTOR, "#auditTable a.event-link")
        link.send_keys(Keys.ENTER)
        fields = wait.until(EC.visibility_of_element_located((By.ID, "eventFields")))
        for name in ["id", "time", "appID", "type", "effect", "rule", "processPath"]:
            assert browser.find_elements(By.XPATH, f'//table[@id="eventFields"]//th[text()="{name}"]'), name
        assert "/usr/bin/whoami" in fields.text and "ui-deny-whoami" in fields.text
        event_page = browser.current_url[len(console.base):]
        browser.find_element(By.ID, "backToEvents").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "auditTable"), "/usr/bin/whoami"))
        assert "rule=ui-deny-whoami" in browser.current_url
        # The task and container filters, typed and submitted from the keyboard: this defender runs in no task.
        browser.find_element(By.ID, "task").send_keys("no-such-task*", Keys.ENTER)
        wait.until(EC.url_contains("task=no-such-task"))
        assert "No events match." in browser.page_source
        export = browser.find_element(By.ID, "exportCSV").get_attribute("href")[len(console.base):]
        status, headers, body = session_get(browser, console, export)
        assert status == 200 and len(list(csv.DictReader(io.StringIO(body.decode())))) == 0
        browser.get(f"{console.base}/monitor/events?appID=ui-demo")
        fill(browser, "container", "no-such-container")
        browser.find_element(By.ID, "container").send_keys(Keys.ENTER)
        wait.until(EC.url_contains("container=no-such-container"))
        assert "No events match." in browser.page_source
        # The filter narrows: nothing of type dns for this app.
        browser.get(f"{console.base}/monitor/events?appID=ui-demo&type=dns")
        assert "No events match." in browser.page_source
        # The dashboard counts the defender and draws the audits.
        browser.get(f"{console.base}/dashboard")
        assert browser.find_element(By.ID, "connectedCount").text == "1"
        assert "ui-deny-whoami" in browser.find_element(By.ID, "topRules").text
    finally:
        proc.kill()
        proc.wait()

    # Deploy: a pasted task definition, protected, is the CLI's output byte for byte.
    seed = ROOT / "examples" / "task-definitions" / "seed-fargate.json"
    browser.get(f"{console.base}/manage/defenders/deploy")
    address = Select(browser.find_element(By.ID, "consoleaddr")).first_selected_option.text
    area = browser.find_element(By.ID, "document")
    browser.execute_script("arguments[0].value = arguments[1];", area, seed.read_text())
    fill(browser, "installBundleSecret", SECRET_ARN)
    browser.find_element(By.ID, "generate").click()
    output = wait.until(EC.presence_of_element_located((By.ID, "output"))).get_attribute("value")
    cli = subprocess.run([scute, "embed", "task-definition", str(seed), "--console", address, "--install-bundle-secret", SECRET_ARN],
                         capture_output=True, text=True, check=True).stdout
    assert output == cli
    assert "+ " in browser.find_element(By.ID, "diff").text and "ScuteDefender" in browser.find_element(By.ID, "diff").text
    browser.find_element(By.ID, "downloadOutput").click()
    target = downloads / "task-definition.protected.json"
    deadline = time.time() + 10
    while not target.exists() and time.time() < deadline:
        time.sleep(0.1)
    assert target.read_text() == cli
    browser.save_screenshot(str(shots / "deploy-generated.png"))

    # Deploy: an uploaded Dockerfile comes back as the zip of the protected build context.
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:12\nCMD [\"/bin/sleep\", \"1000\"]\n")
    browser.get(f"{console.base}/manage/defenders/deploy")
    fill(browser, "dockerAppID", "ui-docker")
    browser.find_element(By.ID, "dockerfile").send_keys(str(dockerfile))
    # The base image's ENTRYPOINT, which the Dockerfile does not set (debian:12 has none).
    fill(browser, "dockerEntrypoint", "[]")
    browser.find_element(By.ID, "dockerZip").click()
    deadline = time.time() + 15
    zips = []
    while time.time() < deadline:
        zips = [p for p in downloads.iterdir() if p.suffix == ".zip"]
        if zips:
            break
        time.sleep(0.2)
    if not zips:
        (shots / "dockerfile-failure.html").write_text(browser.page_source)
    assert zips, (list(downloads.iterdir()), browser.current_url)
    with zipfile.ZipFile(zips[0]) as z:
        names = z.namelist()
        assert any(n.endswith("Dockerfile") for n in names), names
        protected = next(z.read(n).decode() for n in names if n.endswith("Dockerfile"))
    assert "ui-docker" in protected

    # Manual embedding: an install bundle to copy, and the defender bundle to download (the console's own).
    browser.get(f"{console.base}/manage/defenders/deploy")
    link = browser.find_element(By.ID, "downloadDefender")
    status, headers, body = session_get(browser, console, link.get_attribute("pathname"))
    assert status == 200 and body == b"not really a bundle"
    assert headers.get("Content-Type", headers.get("content-type")) == "application/gzip"
    browser.find_element(By.ID, "makeBundle").click()
    assert wait.until(EC.presence_of_element_located((By.ID, "installBundle"))).get_attribute("value")

    # Users and API tokens: an auditor for the last check, and a token whose secret shows once.
    browser.get(f"{console.base}/users")
    fill(browser, "newUserName", "ui-auditor")
    fill(browser, "newUserPassword", "auditor-password-1")
    Select(browser.find_element(By.ID, "newUserRole")).select_by_value("auditor")
    browser.find_element(By.ID, "createUser").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "userTable"), "ui-auditor"))
    fill(browser, "tokenName", "ci")
    browser.find_element(By.ID, "createToken").click()
    assert wait.until(EC.presence_of_element_located((By.ID, "newTokenValue"))).get_attribute("value").startswith("scute_")

    no_browser_errors(browser, "the workflows above", refused_forms=True)
    # Every page at 1,280 px and at a phone's width (375 px), with nothing in the browser's log: the pages of
    # the menu, an event's own page and an image's page.
    pages = PAGES + [event_page, "/monitor/compliance/image?image=" + urllib.parse.quote("registry/none:1"),
                     "/monitor/compliance?fargate=yes&task=ui*"]
    for width, height, suffix in [(1280, 900, "desktop"), (375, 812, "phone")]:
        browser.set_window_size(width, height)
        for page in pages:
            browser.get(f"{console.base}{page}")
            wait.until(EC.presence_of_element_located((By.ID, "main")))
            assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1"), (page, suffix)
            name = page.strip("/").split("?")[0].replace("/", "-")
            if page.startswith("/monitor/events/"):
                name = "monitor-event"
            elif "?" in page and not page.startswith("/monitor/compliance/image"):
                name += "-filtered"
            browser.save_screenshot(str(shots / f"{name}-{suffix}.png"))
            no_browser_errors(browser, page)
            # Every form control has a visible label.
            for control in browser.find_elements(By.CSS_SELECTOR, "main input:not([type=hidden]), main select, main textarea"):
                cid = control.get_attribute("id")
                assert cid and browser.find_elements(By.CSS_SELECTOR, f'label[for="{cid}"]') or \
                    control.find_elements(By.XPATH, "ancestor::label"), (page, cid)
    browser.set_window_size(1280, 900)

    # Keyboard: the skip link is the first stop, and leads to the content.
    browser.get(f"{console.base}/monitor/compliance")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("class") == "skip"

    # Log out: the cookie goes, and pages send the browser to the login page again.
    old_cookie = browser.get_cookie("scute_session")["value"]
    browser.find_element(By.ID, "logout").click()
    wait.until(EC.visibility_of_element_located((By.ID, "user")))
    browser.get(f"{console.base}/defend/runtime")
    wait.until(EC.visibility_of_element_located((By.ID, "user")))
    assert browser.current_url.endswith("/login")
    browser.save_screenshot(str(shots / "login.png"))
    # The session ended on the server: a copy of the old cookie leads to the login page, its token to a 401.
    req = urllib.request.Request(f"{console.base}/monitor/events")
    req.add_header("cookie", f"scute_session={old_cookie}")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.url.endswith("/login?expired=1") and "loginForm" in r.read().decode()
    req = urllib.request.Request(f"{console.base}/api/v1/audits/runtime")
    req.add_header("authorization", f"Bearer {old_cookie}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == 401

    # An auditor sees the rules but cannot save one: the API's role check answers at the form.
    log_in(browser, console, "ui-auditor", "auditor-password-1")
    browser.get(f"{console.base}/defend/runtime")
    fill(browser, "ruleName", "auditor-rule")
    fill(browser, "ruleAppIDs", "*")
    browser.find_element(By.ID, "saveRule").click()
    assert wait.until(EC.visibility_of_element_located((By.ID, "ruleError"))).text
    assert [r["name"] for r in console.call("GET", "/policies/runtime", token)["rules"]] == ["ui-dns", "ui-deny-whoami"]
    no_browser_errors(browser, "auditor", refused_forms=True)


def test_forms_without_the_session_csrf_token_change_nothing(console):
    token = console.token()
    # Log in as a browser would, then post a rule with a wrong CSRF token.
    data = f"username=admin&password={PASSWORD}".encode()
    req = urllib.request.Request(f"{console.base}/login", data=data, method="POST")
    req.add_header("content-type", "application/x-www-form-urlencoded")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(req, timeout=10)
        raise AssertionError("expected a redirect")
    except urllib.error.HTTPError as answer:
        assert answer.code == 303
        cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    session = cookie.split(";")[0]
    req = urllib.request.Request(f"{console.base}/defend/runtime/save",
                                 data=b"csrf=forged&name=forged&appIDs=*&p_effect=prevent&p_denied=sh", method="POST")
    req.add_header("content-type", "application/x-www-form-urlencoded")
    req.add_header("cookie", session)
    try:
        opener.open(req, timeout=10)
        raise AssertionError("expected a refusal")
    except urllib.error.HTTPError as answer:
        assert answer.code == 403
    assert console.call("GET", "/policies/runtime", token)["rules"] == []
    # The page itself: a strict policy, no inline script.
    with urllib.request.urlopen(f"{console.base}/login", timeout=10) as r:
        policy = r.headers["Content-Security-Policy"]
        page = r.read().decode()
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in page and "onclick" not in page


def verified_handshake(console, name):
    """A TLS handshake with the console's API port that trusts only its CA and checks `name`."""
    import socket
    import ssl
    context = ssl.create_default_context(cafile=os.path.join(console.data, "ca.pem"))
    with socket.create_connection(("127.0.0.1", console.api), timeout=5) as raw:
        try:
            with context.wrap_socket(raw, server_hostname=name):
                return True
        except ssl.SSLCertVerificationError:
            return False


def test_a_san_added_in_settings_is_served_without_a_restart(scute, tmp_path, shots):
    console = Console(scute, str(tmp_path / "tls-console"), tls=True)
    os.makedirs(console.data)
    console.start()
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # The console's own CA is not in Chromium's store: the certificate itself is checked with Python's ssl below.
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--ignore-certificate-errors", f"--user-data-dir={tmp_path / 'chromium-tls'}"]:
        options.add_argument(arg)
    browser = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
    try:
        assert not verified_handshake(console, "console.test")
        log_in(browser, console, "admin", PASSWORD)
        cookie = browser.get_cookie("scute_session")
        assert cookie["secure"] and cookie["httpOnly"]
        browser.get(f"{console.base}/settings")
        fill(browser, "sanName", "not a name!")
        browser.find_element(By.ID, "addSAN").click()
        assert WebDriverWait(browser, 15).until(EC.visibility_of_element_located((By.ID, "sanError"))).text
        fill(browser, "sanName", "console.test")
        browser.find_element(By.ID, "addSAN").click()
        WebDriverWait(browser, 15).until(EC.text_to_be_present_in_element((By.ID, "sanList"), "console.test"))
        browser.save_screenshot(str(shots / "settings-san-added.png"))
        # The same process, a new connection: the certificate names it now.
        assert verified_handshake(console, "console.test")
        assert verified_handshake(console, "127.0.0.1")
        token = console.token()
        assert "console.test" in console.call("GET", "/settings/sans", token)["names"]
    finally:
        browser.quit()
        console.stop()
