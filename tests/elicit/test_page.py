"""End to end: a simulated person teaches the page their values in headless Chromium.

The server runs as ``valuelearn elicit`` in its own process; Selenium drives Debian's Chromium
through Debian's ChromeDriver (``make test`` installs both with apt-get when it runs as root;
elsewhere this test is skipped, and says why). The person has known utilities (their features'
weights plus a deviation per action) and answers each question the page shows by the page's own
answer model. Halfway through, the page is reloaded and must pick up where it was (restarts of
the server are tested without a browser, in test_server.py). After 60 answers, the ranking the
page displays must agree with the person's (Spearman >= 0.8), and the database must hold exactly
their answers, in order.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

from valuelearn.elicit import AnswerStore, default_items, elicitation_model

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip(
        "BROWSER TEST NOT RUN: Debian's chromium and chromium-driver are not installed "
        "(`make test` installs them as root: apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the dev extra) is missing")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

N_ANSWERS, RELOAD_AFTER = 60, 30
PERSON_WEIGHTS = np.array([-1.2, 1.0, -0.8, -0.6, 0.3])  # harm, help, dishonesty, unfairness, self
# The two items of question n once the page shows it and takes answers (else false).
SHOWN = """
const a = document.getElementById('option-a'), b = document.getElementById('option-b');
const ready = document.body.dataset.answered === arguments[0] && !a.disabled;
return ready && [a.dataset.id, b.dataset.id];
"""


class Server:
    """``valuelearn elicit`` in a child process, on a free port."""

    def __init__(self, db: Path) -> None:
        # One BLAS thread: the page's fits are tiny, and threads only slow them on two cores.
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        command = [sys.executable, "-u", "-m", "valuelearn", "elicit", "--db", str(db)]
        self.process = subprocess.Popen(
            [*command, "--port", "0"], env=env, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()  # the first line says where it serves
        found = re.search(r"serving (http://\S+/)", line)
        if found is None:
            self.stop()
            pytest.fail(f"valuelearn elicit did not start: {line}{self.process.stderr.read()}")
        self.url = found.group(1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        if self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="valuelearn-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def shown_question(browser: Any, number: int) -> tuple[str, str]:
    wait = WebDriverWait(browser, 30, poll_frequency=0.02)
    a, b = wait.until(lambda driver: driver.execute_script(SHOWN, str(number)))
    return str(a), str(b)


def test_a_simulated_person_teaches_the_page_their_ranking(browser: Any, tmp_path: Path) -> None:
    started = time.perf_counter()
    items = default_items()
    rng = np.random.default_rng(7)
    noise = 0.3 * rng.standard_normal(items.n_items)
    utility = dict(zip(items.ids, items.features @ PERSON_WEIGHTS + noise, strict=True))
    model, given = elicitation_model(), []
    db = tmp_path / "answers.sqlite"
    server = Server(db)
    try:
        browser.get(server.url)
        for number in range(N_ANSWERS):
            if number == RELOAD_AFTER:
                shown_question(browser, number)  # the last answer has arrived
                browser.refresh()
            a, b = shown_question(browser, number)
            code = int(model.sample([utility[a] - utility[b]], rng=rng)[0])
            preferred = ("a", "b", "equal")[code]
            given.append((a, b, preferred))
            browser.find_element(By.ID, f"option-{preferred}").click()
        shown_question(browser, N_ANSWERS)
        ranking = browser.find_elements(By.CSS_SELECTOR, "#ranking li")
        shown = [li.get_attribute("data-id") for li in ranking]
        answered = browser.find_element(By.ID, "answered").text
    finally:
        server.stop()
    rho = spearmanr([utility[i] for i in shown], -np.arange(len(shown))).statistic
    print(f"\nSpearman after {N_ANSWERS} answers: {rho:.3f}; {time.perf_counter() - started:.1f} s")
    assert answered == str(N_ANSWERS) and sorted(shown) == sorted(items.ids)
    assert rho >= 0.8
    with AnswerStore(db, create=False) as store:
        stored = store.comparisons()
    assert list(zip(stored.a, stored.b, stored.preferred, strict=True)) == given
