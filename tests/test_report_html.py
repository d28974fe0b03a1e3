"""report.html opens in a real browser with every picture loaded."""

import shutil

import pytest

from skfashion.cli import main


def _driver():
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
    return webdriver.Chrome(service=Service(driver_path), options=options)


def test_report_html_renders_with_every_picture(tmp_path):
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
    finally:
        driver.quit()
