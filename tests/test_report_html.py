"""report.html opens in a real browser with every picture loaded."""

import shutil

import pytest

from skfashion.cli import main


def _driver(logging=False):
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        pytest.skip("Chromium and its driver are not installed "
                    "(apt-get install chromium chromium-driver); .ci/run installs them")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--allow-file-access-from-files"):
        options.add_argument(flag)
    if logging:  # the console's messages, for get_log("browser")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver_path), options=options)


def test_report_html_renders_with_every_picture(tmp_path, monkeypatch):
    monkeypatch.setattr("os.getloadavg", lambda: (1.5, 1.25, 1.0))  # the oracle below
    out = tmp_path / "report"
    assert main(["benchmark", "--quick", "-q", "--models", "softmax,logistic", "--repeats", "1",
                 "--output", str(out)]) == 0
    page = out / "report.html"
    lonely = tmp_path / "elsewhere" / "report.html"  # alone: nothing beside it to load
    lonely.parent.mkdir()
    shutil.copy(page, lonely)
    driver = _driver()
    try:
        driver.get(lonely.as_uri())
        assert driver.title == "skfashion benchmark"
        images = driver.execute_script(
            "return Array.from(document.images).map("
            "i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight]);")
        assert len(images) == 5, images
        for alt, complete, width, height in images:
            assert complete and width > 100 and height > 100, alt
        rows = driver.execute_script("return document.querySelectorAll('table tr').length;")
        assert rows == 3  # header and two models
        text = driver.execute_script("return document.body.innerText;")
        assert "McNemar" in text and "keras_backend" in text
        for when in ("start", "end"):
            assert f"load_average_{when}: 1.50, 1.25, 1.00 (1, 5, 15 min)" in text
        assert "`" not in text  # Markdown code spans are <code> elements here
        assert driver.execute_script("return document.querySelectorAll('code').length;") > 0

        driver.set_window_size(400, 900)  # a phone
        driver.get(lonely.as_uri())
        phone = driver.execute_script("""
            const page = document.documentElement;
            const cells = Array.from(document.querySelectorAll('td, th')).map(cell => {
                const box = cell.closest('.scroll'), r = cell.getBoundingClientRect();
                if (r.right <= window.innerWidth + 0.5) return true;  // on screen
                if (!box) return false;
                const b = box.getBoundingClientRect();
                // or inside a box that scrolls sideways to it
                return (
                    getComputedStyle(box).overflowX === 'auto' &&
                    box.scrollWidth >= r.right - b.left + box.scrollLeft - 0.5 &&
                    b.right <= window.innerWidth + 0.5);
            });
            return {viewport: !!document.querySelector("meta[name='viewport']"),
                    inner: window.innerWidth, page: page.scrollWidth,
                    cells: cells, images: Array.from(document.images).map(
                        i => [i.complete && i.naturalWidth > 0, i.getBoundingClientRect().width])};
        """)
        assert phone["viewport"]
        assert phone["page"] <= phone["inner"], phone  # the page itself never scrolls sideways
        assert phone["cells"] and all(phone["cells"]), phone["cells"]
        for loaded, width in phone["images"]:
            assert loaded and 0 < width, phone["images"]
    finally:
        driver.quit()


def _figures(driver):
    """Each figure's drawn width, its box's, and where its full-size link points."""
    return driver.execute_script("""
        return Array.from(document.images).map(i => {
            const box = i.closest('.figure'), link = box && box.nextElementSibling &&
                box.nextElementSibling.querySelector('a');
            return {img: i.getBoundingClientRect().width, natural: i.naturalWidth,
                    box: box ? box.getBoundingClientRect().width : null,
                    scrolls: box ? getComputedStyle(box).overflowX : null,
                    link: link ? link.getAttribute('href') : null,
                    page: document.documentElement.scrollWidth, inner: window.innerWidth};
        });""")


def test_report_figures_are_readable_on_a_phone_and_open_full_size(tmp_path):
    """Issue 43, item 3: at 400 px the figures shrank to thumbnails that could not be
    opened. Now each keeps a readable width in a box that scrolls sideways (the page
    does not), and a link opens its PNG, which lies beside the report; at 1280 px
    each fits the page."""
    out = tmp_path / "report"
    assert main(["benchmark", "--quick", "-q", "--models", "softmax,logistic", "--repeats", "1",
                 "--output", str(out)]) == 0
    driver = _driver()
    try:
        for width in (400, 1280):
            driver.set_window_size(width, 900)
            driver.get((out / "report.html").as_uri())
            figures = _figures(driver)
            assert len(figures) == 5
            for figure in figures:
                assert figure["page"] <= figure["inner"], figure  # no sideways page
                assert figure["link"] and (out / figure["link"]).is_file(), figure
                assert figure["scrolls"] == "auto" and figure["box"] <= figure["inner"]
                if width == 400:  # readable: not shrunk to the phone's width
                    assert figure["img"] >= 650 > figure["box"], figure
                else:  # the whole figure on the page, at most its natural size
                    assert figure["img"] <= min(figure["box"], figure["natural"]) + 0.5
    finally:
        driver.quit()


def test_tables_show_the_spread_of_every_timing():
    """Accuracy, fit and prediction times: mean ± standard deviation over the runs,
    the same cells in report.md, report.html and the terminal."""
    import statistics

    from skfashion.benchmark._report import _html_table
    from skfashion.benchmark import Result, format_table

    runs = [{"seed": s, "accuracy": a, "fit_seconds": f, "predict_seconds": p, "y_pred": [],
             "history": {}}
            for s, a, f, p in ((0, 0.84, 1.5, 0.010), (1, 0.85, 1.9, 0.014), (2, 0.86, 1.1, 0.012))]
    result = Result.from_runs("softmax", runs, n_train=3000, n_test=1000)
    fit_sd = statistics.stdev([1.5, 1.9, 1.1])
    predict = [10.0, 14.0, 12.0]  # ms per 1,000 images
    expected = (f"{statistics.mean(predict):.2f} ± {statistics.stdev(predict):.2f}")
    assert f"1.5 ± {fit_sd:.1f}" in format_table([result])
    assert expected in format_table([result])
    html_table = _html_table([result])
    assert f"1.5 ± {fit_sd:.1f}" in html_table and expected in html_table
    single = Result.from_runs("softmax", runs[:1], n_train=3000, n_test=1000)
    assert "±" not in format_table([single])
