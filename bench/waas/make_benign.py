#!/usr/bin/env python3
"""Generates bench/waas/benign.jsonl: benign web traffic for measuring the WAAS engine's false positives.

Every request is built from hand-written templates and word lists in this file (no captured traffic, no
third-party corpus): REST/JSON APIs, GraphQL, rich-text HTML and Markdown, forms, multipart uploads,
non-English text, OAuth flows, searches with quotes, SQL-ish words in prose, file paths, framework cookies
and common browser headers. A fixed seed makes the output reproducible:

    python3 bench/waas/make_benign.py > bench/waas/benign.jsonl
"""
import json
import random
import urllib.parse

random.seed(20260406)

HOSTS = ["shop.example.com", "api.example.com", "app.example.org", "blog.example.net", "portal.example.io"]
UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.5.0", "python-requests/2.31.0", "Go-http-client/2.0", "okhttp/4.12.0", "PostmanRuntime/7.37.3",
    "axios/1.6.8", "Dart/3.3 (dart:io)", "Apache-HttpClient/4.5.14 (Java/17.0.10)", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
]
LANGS = ["en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", "zh-CN,zh;q=0.9,en;q=0.6", "ar-SA,ar;q=0.9", "ru-RU,ru;q=0.9,en;q=0.5", "ja-JP,ja;q=0.9", "es-ES,es;q=0.9"]
FIRST = ["Anna", "Liam", "Sofia", "Noah", "Mia", "Lukas", "Chloé", "Mateo", "Aisha", "Wei", "Olga", "Hiroshi", "Fatima", "Jürgen", "Siobhán", "Seán", "Zoë", "Björn"]
LAST = ["O'Brien", "Müller", "García", "Nguyen", "D'Angelo", "Smith", "Kowalski", "Okafor", "Dubois", "Rossi", "Ivanova", "Tanaka", "Al-Sayed", "van der Berg", "McDonald", "Schäfer"]
CITIES = ["Berlin", "München", "Zürich", "São Paulo", "Québec", "Kraków", "Dublin", "Lyon", "Wien", "Reykjavík", "Ōsaka", "Córdoba"]
STREETS = ["12 Rue d'Arlon", "221B Baker Street", "Königstraße 5", "1600 Amphitheatre Pkwy", "Calle de Alcalá 50", "Via dell'Indipendenza 8", "3/45 O'Connell St", "Apt. 4, 10 Main St."]
PRODUCTS = ["running shoes", "blue t-shirt", "espresso machine", "4K monitor", "rock 'n' roll vinyl", "kids' bike", "women's jacket", "USB-C cable (2 m)", "50% off bundle", "Gift card - $25"]

PROSE = [
    "Please select the best option from the list below and click continue.",
    "Drop me a line when you get back from holiday!",
    "We will update your profile once the order is confirmed.",
    "Where are you from? I'm from Dublin, but I live in Berlin now.",
    "Can we create a table reservation for 4 people at 8pm?",
    "Join us for the union station meetup; bring a friend and a laptop.",
    "If you like this post, share it with your friends -- it helps a lot.",
    "The exec summary is attached; delete the draft after reading.",
    "Order by Friday to get free shipping (offer valid while stocks last).",
    "I'd say it's 50/50 whether the train is on time, and/or the bus.",
    "Insert coin to continue. Select your character, then press start.",
    "Rock 'n' roll never dies. Don't stop believin'!",
    "Is it true that 2 + 2 = 4? Yes, and 3 * 3 = 9.",
    "Our team's goal: ship v2.0 by Q3 -- no ifs, ands or buts.",
    "The price is 19.99 EUR (incl. VAT); shipping is free over 50 EUR.",
    "Hi there, I ordered the wrong size. Can I exchange it for a larger one?",
    "Thanks for the quick reply! The package arrived today, everything's fine.",
    "My username is jane_doe-1987 and I forgot my password, help please.",
    "Let's meet at 10:30 in room B-204; the agenda is in the shared drive.",
    "He said \"we'll see\" and left -- typical Monday.",
    "Add 2 cups of flour, 1 tsp salt & a pinch of sugar; mix well.",
    "The select committee will drop the proposal from the agenda.",
    "Where the road ends, the trail begins; keep left at the fork.",
    "She likes cats and dogs, or maybe just cats.",
    "Happy birthday!!! Hope you have a wonderful day :) <3",
    "Question: is null the same as undefined in JavaScript? Not quite.",
    "For more info see section 3.2 (\"Returns & refunds\").",
    "Updated the README -- see the 'Getting started' section.",
    "Top 10 tips for better sleep: 1) no screens, 2) dark room, 3) routine.",
    "Cut the oranges into quarters, then into slices about 1/8 inch thick.",
]
I18N = [
    "你好，我想咨询一下订单的发货时间。谢谢！",
    "这件衣服有没有大一号的？我平时穿L码。",
    "请问可以开发票吗？公司名称：北京示例科技有限公司",
    "مرحبا، أود الاستفسار عن حالة طلبي رقم 12345. شكرا لكم!",
    "هل يمكنني تغيير عنوان الشحن إلى الرياض؟",
    "Здравствуйте! Подскажите, пожалуйста, когда придёт мой заказ?",
    "Спасибо за быструю доставку, всё отлично упаковано.",
    "Grüß Gott! Könnten Sie mir bitte die Größe 42 zurücklegen? Schöne Grüße aus Köln.",
    "Die Lieferung kam pünktlich, vielen Dank für den tollen Service!",
    "Bonjour, je voudrais savoir si l'article est disponible en magasin à Montréal.",
    "¿Cuánto cuesta el envío a Córdoba? ¡Gracias de antemano!",
    "こんにちは、注文のキャンセルをお願いできますか？",
    "नमस्ते, मेरा ऑर्डर अभी तक नहीं आया है।",
    "Olá! Gostaria de trocar o tamanho da camiseta, é possível?",
    "Cześć, czy mogę zapłacić przy odbiorze? Dzięki!",
    "Γεια σας, θα ήθελα να ακυρώσω την παραγγελία μου.",
    "שלום, מתי ההזמנה שלי תגיע?",
    "안녕하세요, 배송 조회는 어디서 하나요?",
]
SEARCHES = [
    "O'Brien", "rock 'n' roll", "don't stop believin'", "\"best pizza\" near me", "women's running shoes", "kids' books 8-10",
    "macbook pro 14\" 2023", "how to tie a tie", "1/2 inch drill bit", "c++ vs rust", "node.js tutorial", "python list comprehension",
    "what is 5% of 200", "cheap flights berlin -> dublin", "l'oréal shampoo", "mcdonald's opening hours", "#1 bestseller", "a & b",
    "select all that apply", "drop shipping", "union jack flag", "table tennis", "sleep mask", "benchmark results 2024",
    "where to buy", "order status", "update firmware", "delete my account", "insert image in word", "exec chair",
    "t-shirt size m/l", "50% off", "under $100", "u2 songs", "ac/dc", "guns n' roses", "salt & pepper", "café crème",
    "Müller Milch", "straße", "寿司", "ресторан", "مطعم", "it's a wrap", "'quoted'", "like new", "true story", "null pointer exception",
    "script writing course", "iframe vs embed", "alert sound", "prompt engineering", "eval board", "system design interview",
    "cat toys", "echo dot", "find my phone", "time zones", "kill bill", "head and shoulders", "tail light", "more or less",
]
TAGS = ["news", "sport", "tech", "travel", "food", "music", "books", "diy", "garden", "kids"]

def q(params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)

def browser_headers(host, ua=None, referer=None, cookie=None, accept="text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"):
    ua = ua or random.choice(UAS[:7])
    headers = {
        "Host": host,
        "User-Agent": ua,
        "Accept": accept,
        "Accept-Language": random.choice(LANGS),
        "Accept-Encoding": random.choice(["gzip, deflate, br", "gzip, deflate, br, zstd", "gzip, deflate"]),
    }
    if "Chrome" in ua and random.random() < 0.6:
        headers["sec-ch-ua"] = '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"'
        headers["sec-ch-ua-mobile"] = "?0"
        headers["sec-ch-ua-platform"] = '"Windows"'
        headers["Sec-Fetch-Site"] = random.choice(["same-origin", "none", "cross-site"])
        headers["Sec-Fetch-Mode"] = "navigate"
        headers["Sec-Fetch-Dest"] = "document"
        headers["Upgrade-Insecure-Requests"] = "1"
    if referer:
        headers["Referer"] = referer
    if cookie:
        headers["Cookie"] = cookie
    return headers

def api_headers(host, token=True):
    headers = {"Host": host, "User-Agent": random.choice(UAS[9:]), "Accept": "application/json"}
    if token:
        headers["Authorization"] = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    if random.random() < 0.5:
        headers["X-Request-Id"] = "%08x-%04x-4%03x-a%03x-%012x" % tuple(random.getrandbits(b) for b in (32, 16, 12, 12, 48))
    return headers

def cookie_jar():
    parts = []
    pool = [
        "_ga=GA1.2.%d.%d" % (random.randint(10**8, 10**9), random.randint(10**9, 2 * 10**9)),
        "_gid=GA1.2.%d.%d" % (random.randint(10**8, 10**9), random.randint(10**9, 2 * 10**9)),
        "_fbp=fb.1.%d.%d" % (random.randint(10**12, 2 * 10**12), random.randint(10**8, 10**9)),
        "PHPSESSID=%032x" % random.getrandbits(128),
        "JSESSIONID=%032X" % random.getrandbits(128),
        "csrftoken=%032x" % random.getrandbits(128),
        "sessionid=%032x" % random.getrandbits(128),
        "laravel_session=eyJpdiI6IkZ3WkxqVmZ5T2hkR2ZhN0FyT2xYa2c9PSIsInZhbHVlIjoiM0J6VnF6dGJZT0lhaEg3OW9HVzJvZz09IiwibWFjIjoiYWJjIn0%3D",
        "XSRF-TOKEN=eyJpdiI6IjRxN0t0dWZ6bEJ6SGZ3PT0iLCJ2YWx1ZSI6Ik5aRnc9PSJ9",
        "connect.sid=s%3A" + "%x" % random.getrandbits(96) + ".Qm9vdGlmdWwlMjBzaWduYXR1cmU",
        "__stripe_mid=%08x-%04x-%04x-%04x-%012x" % tuple(random.getrandbits(b) for b in (32, 16, 16, 16, 48)),
        "ajs_anonymous_id=%22" + "%08x-%04x" % (random.getrandbits(32), random.getrandbits(16)) + "%22",
        "OptanonConsent=isGpcEnabled=0&datestamp=Mon+Apr+01+2024+10%3A15%3A00+GMT%2B0200+(Central+European+Summer+Time)&version=202402.1.0&browserGpcFlag=0&isIABGlobal=false&hosts=&consentId=" + "%08x" % random.getrandbits(32) + "&interactionCount=1&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A0%2CC0003%3A1",
        "cookieconsent_status=dismiss", "theme=dark", "lang=de-DE", "currency=EUR", "cart_items=3",
        "wordpress_logged_in_%032x=admin%%7C1712345678%%7Cabc%%7Cdef" % random.getrandbits(128),
        "_shopify_y=%08x-%04x" % (random.getrandbits(32), random.getrandbits(16)),
        "rack.session=BAh7CEkiD3Nlc3Npb25faWQGOgZFVG86HVJhY2s6OlNlc3Npb246OlNlc3Npb25JZA",
        "ASP.NET_SessionId=%024x" % random.getrandbits(96),
        "remember_web_59ba36addc2b2f9401580f014c7f58ea4e30989d=eyJpdiI6Ik9QIn0%3D",
        "recently_viewed=%5B12%2C45%2C987%5D", "ab_test=variant_b", "tz=Europe%2FBerlin",
    ]
    for item in random.sample(pool, random.randint(1, 6)):
        parts.append(item)
    return "; ".join(parts)

rows = []
def add(category, method, uri, headers, body="", version="HTTP/1.1"):
    rows.append({
        "id": "benign-%s-%d" % (category, sum(1 for r in rows if r["category"] == category) + 1),
        "method": method, "uri": uri, "version": version, "headers": headers, "body": body,
        "autocomplete": True, "expect": "pass", "category": category,
    })

# Plain page views with browser headers and cookies.
PAGES = ["/", "/products", "/products/running-shoes-blue", "/blog/2024/04/how-we-ship-faster", "/about-us", "/contact", "/de/produkte/laufschuhe",
         "/static/js/app.8f3c2a1.js", "/static/css/main.4b2e.css", "/images/hero@2x.webp", "/favicon.ico", "/robots.txt", "/sitemap.xml",
         "/account/orders", "/cart", "/checkout/shipping", "/help/returns-and-refunds", "/fr/a-propos", "/zh/产品", "/users/~jane/profile",
         "/docs/v2/getting-started", "/wp-content/uploads/2024/03/photo-1.jpg", "/api/health", "/.well-known/openid-configuration"]
for _ in range(130):
    host = random.choice(HOSTS)
    page = random.choice(PAGES)
    if random.random() < 0.5:
        page += "?" + q(random.choice([
            {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "spring_sale_2024"},
            {"page": random.randint(1, 40), "sort": random.choice(["price_asc", "price_desc", "newest", "rating"])},
            {"ref": "homepage", "lang": random.choice(["en", "de", "fr"])},
            {"gclid": "Cj0KCQjw%x" % random.getrandbits(64)},
            {"fbclid": "IwAR%x" % random.getrandbits(80)},
            {"color": random.choice(["blue", "red", "black"]), "size": random.choice(["S", "M", "L", "42", "10.5"])},
        ]))
    add("browser", "GET", urllib.parse.quote(page, safe="/?=&%~@.-_"), browser_headers(host, ua=random.choice(UAS), referer="https://%s/" % host if random.random() < 0.6 else None, cookie=cookie_jar() if random.random() < 0.7 else None))

# Searches with quotes, apostrophes and SQL-ish words.
for _ in range(120):
    host = random.choice(HOSTS)
    term = random.choice(SEARCHES)
    params = {"q": term}
    if random.random() < 0.4:
        params["category"] = random.choice(["all", "books", "music", "home & garden", "men's"])
    if random.random() < 0.3:
        params["page"] = random.randint(1, 5)
    add("search", "GET", "/search?" + q(params), browser_headers(host, referer="https://%s/" % host, cookie=cookie_jar()))

# Prose in forms (contact, comments, reviews) with SQL-ish words, quotes, punctuation and other languages.
for _ in range(140):
    host = random.choice(HOSTS)
    name = "%s %s" % (random.choice(FIRST), random.choice(LAST))
    message = " ".join(random.sample(PROSE + I18N, random.randint(1, 4)))
    form = {"name": name, "email": "%s.%s@example.com" % (name.split()[0].lower(), random.randint(1, 99)), "subject": random.choice(["Order question", "Feedback", "Return request", "Re: your message", "Größe/Size?"]), "message": message}
    if random.random() < 0.3:
        form["phone"] = "+49 (0)30 %d-%d" % (random.randint(100, 999), random.randint(1000, 9999))
    if random.random() < 0.3:
        form["newsletter"] = "on"
    body = q(form)
    headers = browser_headers(host, referer="https://%s/contact" % host, cookie=cookie_jar())
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Origin"] = "https://%s" % host
    add("form", "POST", random.choice(["/contact", "/comments", "/reviews/new", "/support/ticket"]), headers, body)

# Signup, address and checkout forms.
for _ in range(80):
    host = random.choice(HOSTS)
    form = {
        "first_name": random.choice(FIRST), "last_name": random.choice(LAST), "street": random.choice(STREETS), "city": random.choice(CITIES),
        "zip": "%05d" % random.randint(1000, 99999), "country": random.choice(["DE", "IE", "FR", "BR", "CA", "JP"]),
        "password": random.choice(["S3cure!Pass", "correct horse battery staple", "p@ssw0rd#2024", "Tr0ub4dor&3", "my'pass(word)42"]),
        "terms": "accepted", "csrf_token": "%x" % random.getrandbits(128),
    }
    if random.random() < 0.5:
        form["company"] = random.choice(["Müller & Söhne GmbH", "O'Reilly Media", "AT&T", "Ben & Jerry's", "Procter & Gamble", "Select Comfort Corp."])
    if random.random() < 0.4:
        form["notes"] = random.choice(["Leave at the door, please.", "Ring twice -- the bell's broken.", "Call before delivery (after 5pm).", "Building C, 3rd floor; code 1234#"])
    headers = browser_headers(host, referer="https://%s/checkout" % host, cookie=cookie_jar())
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    add("form", "POST", random.choice(["/signup", "/checkout/address", "/account/profile"]), headers, q(form))

# REST/JSON APIs.
def rand_id():
    return random.randint(1, 99999)
for _ in range(160):
    host = random.choice(HOSTS)
    kind = random.random()
    headers = api_headers(host)
    if kind < 0.35:
        params = random.choice([
            {"limit": 20, "offset": random.randint(0, 400)}, {"filter[status]": "active", "sort": "-created_at"},
            {"fields": "id,name,price", "include": "variants,images"}, {"q": random.choice(SEARCHES), "per_page": 50},
            {"from": "2024-01-01T00:00:00Z", "to": "2024-03-31T23:59:59Z"}, {"ids": "12,45,987"},
            {"expand[]": "customer", "starting_after": "cus_%x" % random.getrandbits(40)},
        ])
        add("api", "GET", "/api/v1/%s?%s" % (random.choice(["products", "orders", "customers", "invoices", "events"]), q(params)), headers)
    elif kind < 0.75:
        payload = random.choice([
            {"name": random.choice(PRODUCTS), "price": round(random.uniform(1, 500), 2), "currency": "EUR", "tags": random.sample(TAGS, 3), "description": random.choice(PROSE)},
            {"customer": {"name": "%s %s" % (random.choice(FIRST), random.choice(LAST)), "address": {"street": random.choice(STREETS), "city": random.choice(CITIES)}}, "items": [{"sku": "SKU-%d" % rand_id(), "qty": random.randint(1, 4)}]},
            {"email": "user%d@example.com" % rand_id(), "password": "Secr3t!%d" % rand_id(), "remember_me": True},
            {"event": "page_view", "properties": {"path": random.choice(PAGES), "referrer": "https://www.google.com/", "title": "Running shoes | Shop"}, "timestamp": "2024-04-01T10:15:00.000Z"},
            {"comment": random.choice(PROSE + I18N), "rating": random.randint(1, 5), "verified": random.random() < 0.5},
            {"query": random.choice(SEARCHES), "filters": {"price": {"min": 10, "max": 100}, "in_stock": True}},
            {"settings": {"theme": "dark", "language": random.choice(["de", "en", "zh-CN"]), "notifications": {"email": True, "sms": False}}},
            {"webhook_url": "https://hooks.example.com/services/T000/B000/%x" % random.getrandbits(64), "events": ["order.created", "order.paid"]},
            {"script": "npm run build && npm test", "branch": "main", "env": {"NODE_ENV": "production"}},
        ])
        headers["Content-Type"] = "application/json"
        method = random.choice(["POST", "PUT", "PATCH"])
        add("api", method, "/api/v1/%s/%d" % (random.choice(["products", "orders", "users", "settings"]), rand_id()) if method != "POST" else "/api/v1/%s" % random.choice(["orders", "events", "reviews", "search"]), headers, json.dumps(payload, ensure_ascii=random.random() < 0.5))
    else:
        add("api", random.choice(["DELETE", "GET", "HEAD", "OPTIONS"]), "/api/v1/%s/%d" % (random.choice(["products", "orders", "carts", "sessions"]), rand_id()), headers)

# GraphQL.
GQL = [
    ("query GetProduct($id: ID!) {\n  product(id: $id) {\n    id\n    name\n    price { amount currency }\n    images(first: 5) { edges { node { url altText } } }\n  }\n}", {"id": "gid://shop/Product/%d"}),
    ("query Search($q: String!, $first: Int = 10) {\n  search(query: $q, first: $first) {\n    totalCount\n    nodes { ... on Product { id title } ... on Article { id headline } }\n  }\n}", {"q": "%s"}),
    ("mutation AddToCart($input: CartLineInput!) {\n  cartLinesAdd(lines: [$input]) {\n    cart { id totalQuantity }\n    userErrors { field message }\n  }\n}", {"input": {"merchandiseId": "gid://shop/ProductVariant/%d", "quantity": 1}}),
    ("mutation UpdateProfile($name: String, $bio: String) {\n  updateProfile(name: $name, bio: $bio) { id name bio }\n}", {"name": "%s", "bio": "%s"}),
    ("query Orders($after: String) {\n  viewer { orders(first: 20, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) { pageInfo { hasNextPage endCursor } nodes { id status total } } }\n}", {"after": None}),
    ("{ __typename }", {}),
    ("query IntrospectionLite { __schema { queryType { name } mutationType { name } } }", {}),
    ("mutation DeleteComment($id: ID!) { deleteComment(id: $id) { success } }", {"id": "%d"}),
]
for _ in range(90):
    host = random.choice(HOSTS)
    query, variables = random.choice(GQL)
    text = json.dumps(variables)
    text = text.replace("%d", str(rand_id())).replace('"%s"', json.dumps(random.choice(SEARCHES + PROSE)))
    payload = {"query": query, "variables": json.loads(text), "operationName": query.split("(")[0].split()[-1] if query.startswith(("query", "mutation")) else None}
    headers = api_headers(host)
    headers["Content-Type"] = "application/json"
    add("graphql", "POST", "/graphql", headers, json.dumps(payload, ensure_ascii=False))

# Rich text from editors (HTML) and Markdown with code.
HTML_SNIPPETS = [
    "<p>Hello <b>world</b>! Check out <a href=\"https://example.com/docs\">our docs</a>.</p>",
    "<h2>Release notes</h2><ul><li>Faster <em>search</em></li><li>New <strong>dark mode</strong></li><li>Bug fixes &amp; polish</li></ul>",
    "<p>Recipe:</p><ol><li>Preheat oven to 180&deg;C</li><li>Mix flour &amp; sugar</li></ol><p><i>Enjoy!</i></p>",
    "<blockquote>Simplicity is prerequisite for reliability.</blockquote><p>&mdash; E. W. Dijkstra</p>",
    "<p><img src=\"https://cdn.example.com/img/cat.jpg\" alt=\"A cat on a sofa\" width=\"400\"></p>",
    "<p>Use <code>git rebase -i HEAD~3</code> to squash commits.</p>",
    "<table><thead><tr><th>Size</th><th>EU</th></tr></thead><tbody><tr><td>M</td><td>40</td></tr></tbody></table>",
    "<p style=\"text-align: center; color: #333;\">Centered text</p><hr><p><u>Underlined</u> and <s>struck</s>.</p>",
    "<div class=\"note\"><span>Tip:</span> press <kbd>Ctrl</kbd>+<kbd>S</kbd> to save.</div>",
    "<p>Contact us at <a href=\"mailto:support@example.com\">support@example.com</a> or <a href=\"tel:+4930123456\">call</a>.</p>",
    "<p>Our office: Königstraße 5, 70173 Stuttgart &ndash; <a href=\"https://maps.example.com/?q=K%C3%B6nigstra%C3%9Fe+5\" target=\"_blank\" rel=\"noopener\">map</a></p>",
    "<p>我们的新品已经上架，欢迎<a href=\"https://shop.example.com/zh/new\">选购</a>！</p>",
    "<pre><code class=\"language-python\">def greet(name):\n    return f\"Hello, {name}!\"\n</code></pre>",
    "<p>Select the size &gt; then click &lsquo;Add to cart&rsquo;.</p>",
    "<figure><img src=\"/uploads/chart.png\" alt=\"Sales chart Q1\"><figcaption>Sales grew 12% in Q1.</figcaption></figure>",
]
MARKDOWN = [
    "## Install\n\nRun `npm install my-package` and then import it:\n\n```js\nimport { debounce } from 'my-package';\nconst onResize = debounce(() => layout(), 200);\nwindow.addEventListener('resize', onResize);\n```\n",
    "Here's how I parse dates in Python:\n\n```python\nfrom datetime import datetime\nd = datetime.strptime('2024-04-01', '%Y-%m-%d')\nprint(d.isoformat())\n```\n\nHope that helps!",
    "**Bold**, _italic_ and a [link](https://example.com/guide#section-2). See also ../docs/intro.md for details.",
    "- [x] write tests\n- [ ] update docs\n- [ ] release v1.2.0\n\n> Note: the API is still *beta*.",
    "To query users older than 30 in SQL you'd write something like `SELECT name FROM users WHERE age > 30`, but our ORM does it for you.",
    "CSS tip:\n\n```css\n.card { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1rem; }\n```",
    "Go snippet:\n\n```go\nfunc main() {\n    fmt.Println(\"hello\")\n}\n```",
    "Rust:\n\n```rust\nfn add(a: i32, b: i32) -> i32 { a + b }\n```\n\nCompile with cargo build --release.",
    "| Plan | Price |\n|------|-------|\n| Free | 0 EUR |\n| Pro  | 9 EUR/month |",
    "I love this song: *Don't Stop Me Now* by Queen. 10/10 would listen again.",
    "Check the logs in `/var/log/myapp/` -- if it says `permission denied`, run it as the right user.",
    "Use a template literal: `` `Hello ${name}` `` instead of string concatenation.",
]
for _ in range(110):
    host = random.choice(HOSTS)
    headers = browser_headers(host, referer="https://%s/editor" % host, cookie=cookie_jar())
    if random.random() < 0.5:
        content = "".join(random.sample(HTML_SNIPPETS, random.randint(1, 3)))
        fmt = "html"
    else:
        content = "\n\n".join(random.sample(MARKDOWN, random.randint(1, 2)))
        fmt = "markdown"
    if random.random() < 0.5:
        headers["Content-Type"] = "application/json"
        body = json.dumps({"title": random.choice(["My first post", "Weekly update", "Release notes", "Rezept: Käsespätzle", "周报"]), "format": fmt, "body": content, "tags": random.sample(TAGS, 2), "draft": random.random() < 0.5}, ensure_ascii=False)
        add("richtext", "POST", "/api/posts", headers, body)
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        add("richtext", "POST", "/posts/%d/edit" % rand_id(), headers, q({"title": "Post %d" % rand_id(), "content": content, "format": fmt, "_token": "%x" % random.getrandbits(128)}))

# Multipart uploads.
FILES = [
    ("avatar.png", "image/png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR binary image data follows"),
    ("photo 2024-04-01 (1).jpg", "image/jpeg", "\xff\xd8\xff\xe0JFIF Exif camera data"),
    ("report_Q1.pdf", "application/pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj"),
    ("notes.txt", "text/plain", "Meeting notes\n- select venue\n- drop the old banner\n- update budget from 5k to 6k\n"),
    ("data.csv", "text/csv", "id,name,city\n1,O'Brien,Dublin\n2,Müller,München\n3,\"Smith, John\",London\n"),
    ("config.json", "application/json", "{\"theme\": \"dark\", \"items\": [1, 2, 3]}"),
    ("Lebenslauf_Schäfer.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04 docx zip data"),
    ("song.mp3", "audio/mpeg", "ID3\x04 mp3 frames"),
    ("archive.zip", "application/zip", "PK\x03\x04 zipped content"),
]
for _ in range(90):
    host = random.choice(HOSTS)
    boundary = "----WebKitFormBoundary" + "".join(random.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(16))
    name, ctype, data = random.choice(FILES)
    fields = {"title": random.choice(["Holiday photos", "Invoice March", "CV", "Q1 report", "Meine Dateien", "附件"]), "description": random.choice(PROSE + I18N)}
    parts = []
    for key, value in fields.items():
        parts.append("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, key, value))
    parts.append("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n%s\r\n" % (boundary, name, ctype, data))
    body = "".join(parts) + "--%s--\r\n" % boundary
    headers = browser_headers(host, referer="https://%s/upload" % host, cookie=cookie_jar())
    headers["Content-Type"] = "multipart/form-data; boundary=%s" % boundary
    add("multipart", "POST", random.choice(["/upload", "/account/avatar", "/api/v1/files", "/jobs/apply"]), headers, body)

# OAuth and OpenID Connect flows.
for _ in range(70):
    host = random.choice(HOSTS)
    client = "%x" % random.getrandbits(64)
    app = random.choice(["app.example.com", "shop.example.com", "mobile.example.org", "partner.example.net"])
    redirect = "https://%s/%s" % (app, random.choice(["callback", "auth/callback", "oauth2/redirect", "login/complete?next=%2Fdashboard"]))
    state = "%x" % random.getrandbits(96)
    step = random.random()
    if step < 0.4:
        params = {"response_type": "code", "client_id": client, "redirect_uri": redirect, "scope": random.choice(["openid profile email", "read write", "openid offline_access"]), "state": state}
        if random.random() < 0.5:
            params["code_challenge"] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            params["code_challenge_method"] = "S256"
        if random.random() < 0.3:
            params["nonce"] = "%x" % random.getrandbits(64)
        add("oauth", "GET", "/oauth/authorize?" + q(params), browser_headers(host, referer="https://%s/" % app, cookie=cookie_jar()))
    elif step < 0.7:
        params = {"code": "SplxlOBeZQQYbYS6WxSbIA" + "%x" % random.getrandbits(32), "state": state}
        if random.random() < 0.3:
            params["session_state"] = "%x.%x" % (random.getrandbits(64), random.getrandbits(32))
        add("oauth", "GET", "/callback?" + q(params), browser_headers(app, referer="https://%s/oauth/authorize" % host, cookie=cookie_jar()))
    else:
        form = {"grant_type": random.choice(["authorization_code", "refresh_token", "client_credentials"]), "client_id": client, "redirect_uri": redirect, "code": "SplxlOBeZQQYbYS6WxSbIA", "code_verifier": "dBjftJeZ4CVP-mJ92K9qP0M1mBJ8e1jNtQnaaR0yNgE"}
        headers = api_headers(host, token=False)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Authorization"] = "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW"
        add("oauth", "POST", "/oauth/token", headers, q(form))

# File paths in legitimate fields, redirects and return URLs.
PATHS = ["C:\\Users\\anna\\Documents\\report.docx", "/home/alice/photos/img_0042.jpg", "docs/getting-started.md", "src/components/App.tsx",
         "D:\\Projekte\\Bilder\\Urlaub 2023\\strand.jpg", "~/Downloads/invoice-2024-03.pdf", "reports/2024/Q1/summary.xlsx", "/mnt/data/backups/2024-04-01/",
         "assets/img/logo@2x.png", "\\\\fileserver\\share\\team\\plan.pptx", "/usr/local/share/fonts/Inter.ttf", "s3://my-bucket/uploads/2024/04/file.csv"]
for _ in range(60):
    host = random.choice(HOSTS)
    if random.random() < 0.5:
        params = {"path": random.choice(PATHS), "action": random.choice(["open", "preview", "share"])}
        add("paths", "GET", "/files?" + q(params), browser_headers(host, cookie=cookie_jar()))
    else:
        params = {"next": random.choice(["/account/orders?page=2", "/checkout", "/de/warenkorb", "https://%s/welcome" % host, "/search?q=o%27brien"]), "return_to": random.choice(["/", "/settings/profile#security"])}
        add("paths", "GET", "/login?" + q(params), browser_headers(host, cookie=cookie_jar()))

# Non-English page views and search.
for _ in range(60):
    host = random.choice(HOSTS)
    text = random.choice(I18N)
    if random.random() < 0.5:
        add("i18n", "GET", "/search?" + q({"q": text[:30], "lang": random.choice(["zh", "ar", "ru", "de"])}), browser_headers(host, cookie=cookie_jar()))
    else:
        headers = browser_headers(host, cookie=cookie_jar())
        headers["Content-Type"] = "application/json; charset=utf-8"
        add("i18n", "POST", "/api/messages", headers, json.dumps({"to": "support", "text": text, "name": "%s %s" % (random.choice(FIRST), random.choice(LAST))}, ensure_ascii=False))

for row in rows:
    print(json.dumps(row, ensure_ascii=False))
