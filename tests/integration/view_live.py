"""Watches `salvo view`'s page follow a running batch, in headless Chromium driven by
Debian's chromedriver over the W3C WebDriver protocol (urllib only). Used by view.sh.

  view_live.py DRIVER_URL PAGE_URL PROFILE_DIR SECONDS

Loads PAGE_URL once and, without reloading, reads every 0.2 s what the page shows: the
batch's status card, its trials card and the points its scalar-curves chart drew. Stops
when the status card says completed and the chart stops changing, or after SECONDS.
Prints each distinct reading once the chart has drawn as "STATUS TRIALS POINTS", oldest
first.
"""

import json
import sys
import time
import urllib.request

driver, page, profile, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(driver + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.load(reply)["value"]


args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--window-size=1200,1600", "--user-data-dir=" + profile]
session = call("POST", "/session", {"capabilities": {"alwaysMatch": {
    "browserName": "chrome",
    "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}})["sessionId"]
READ = """
const cards = document.querySelectorAll('#cards .card .value');
const curves = document.getElementById('chart-curves');
return [cards.length > 3 ? cards[3].textContent : '', cards.length > 2 ? cards[2].textContent : '',
        curves.dataset.points || ''];
"""
readings = []
try:
    call("POST", "/session/%s/url" % session, {"url": page})
    deadline = time.time() + seconds
    stable = 0
    while time.time() < deadline:
        status, trials, points = call("POST", "/session/%s/execute/sync" % session,
                                      {"script": READ, "args": []})
        reading = "%s %s %s" % (status, trials.replace(" ", ""), points)
        if not points:
            pass  # not drawn yet
        elif not readings or readings[-1] != reading:
            readings.append(reading)
            stable = 0
        else:
            stable += 1
        if status == "completed" and stable >= 15:  # 3 s unchanged: past a poll
            break
        time.sleep(0.2)
finally:
    call("DELETE", "/session/%s" % session)
print("\n".join(readings))
