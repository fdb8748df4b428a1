"""The console's web UI in a real browser (headless Chromium through chromedriver)."""
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from test_e2e_console_defender import Console, PASSWORD, defender, wait_connected

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def browser(tmp_path):
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("chromium and chromedriver are needed (scripts/test.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900",
                f"--user-data-dir={tmp_path / 'chromium'}"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver_path), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def console(scute, tmp_path):
    c = Console(scute, str(tmp_path / "console"))
    os.makedirs(c.data)
    c.start()
    yield c
    c.stop()


def test_log_in_see_a_defender_add_a_rule_and_see_its_audit(scute, console, browser, tmp_path):
    token = console.token()
    script = "import subprocess, time\nfor i in range(120):\n    subprocess.run(['/usr/bin/whoami'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n    time.sleep(0.1)\n"
    proc = defender([scute, "defend"], console, token, "ui-demo", script, tmp_path, str(tmp_path / "ui.jsonl"))
    try:
        wait_connected(console, token, "ui-demo")
        wait = WebDriverWait(browser, 15)
        browser.get(f"http://127.0.0.1:{console.api}/")
        wait.until(EC.visibility_of_element_located((By.ID, "user"))).send_keys("admin")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "#loginForm button").click()
        # After login: the defenders view lists the connected defender.
        wait.until(EC.text_to_be_present_in_element((By.ID, "defTable"), "ui-demo"))
        assert "connected for" in browser.find_element(By.ID, "defTable").text
        browser.save_screenshot(str(tmp_path / "defenders.png"))
        # A rule written in the UI is stored and enforced.
        browser.find_element(By.CSS_SELECTOR, 'header a[data-view="rules"]').click()
        area = wait.until(EC.visibility_of_element_located((By.ID, "ruleJSON")))
        area.clear()
        area.send_keys(json.dumps({"name": "ui-deny-whoami", "collections": [{"appIDs": ["ui-demo"]}],
                                   "processes": {"effect": "prevent", "denied": ["whoami"]}}))
        browser.find_element(By.ID, "saveRule").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "ruleTable"), "ui-deny-whoami"))
        rules = console.call("GET", "/policies/runtime", token)["rules"]
        assert [r["name"] for r in rules] == ["ui-deny-whoami"]
        # Its audit shows in the audits view.
        deadline = time.time() + 15
        while time.time() < deadline:
            browser.find_element(By.CSS_SELECTOR, 'header a[data-view="audits"]').click()
            time.sleep(0.5)
            text = browser.find_element(By.ID, "auditTable").text
            if "ui-deny-whoami" in text:
                break
        assert "ui-deny-whoami" in text and "/usr/bin/whoami" in text
        browser.save_screenshot(str(tmp_path / "audits.png"))
        shutil.copy(tmp_path / "audits.png", "/tmp/scute-ui-audits.png")
    finally:
        proc.kill()
        proc.wait()
