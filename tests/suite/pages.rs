//! `tradeseg report`: the page a manager opens, from the real binary on the bundled data.

use crate::common::*;

#[test]
fn a_report_page_shows_the_counts_crosstabs_and_movement() {
    let dir = folder(&[]);
    let out = |name: &str| dir.path().join(name).display().to_string();
    let october = out("october.csv");
    let args = [
        "run",
        "rulesets/purchase_stage.seg",
        "examples/data/history/2026-10.csv",
        "--as-of",
        "2026-10-01",
        "-q",
        "-o",
        &october,
    ];
    assert_eq!(tradeseg(&args).code, 0);
    let page = out("report.html");
    let args = [
        "report",
        "rulesets/export_sales.seg",
        "examples/data/history/2026-11.csv",
        "--as-of",
        "2026-11-01",
        "--crosstab",
        "region,stars",
        "--since",
        &october,
        "-o",
        &page,
    ];
    let ran = tradeseg(&args);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("report of 300 customers written to"), "{}", ran.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert!(html.contains("<h2>region × stars</h2>"));
    assert!(html.contains("<h2>Who moved since october.csv</h2>"));
    assert!(!html.contains("<script") && !html.contains("src=\"http"), "nothing is fetched");
    // The counts are the run's: 4-star has 49 of 300 customers in November's export.
    let results = tradeseg(&[
        "run",
        "rulesets/export_sales.seg",
        "examples/data/history/2026-11.csv",
        "--as-of",
        "2026-11-01",
        "-q",
    ]);
    let four_star = results.stdout.lines().filter(|l| l.split(',').nth(1) == Some("4-star")).count();
    assert!(html.contains(&format!("<td>4-star</td><td class=\"n\">{four_star}</td>")), "{four_star}");
    // Markdown, in Chinese.
    let md = out("report.md");
    let args = [
        "report",
        "rulesets/purchase_stage.seg",
        "examples/data/customers.csv",
        "--as-of",
        "2026-11-01",
        "-o",
        &md,
        "--lang",
        "zh",
    ];
    assert_eq!(tradeseg(&args).code, 0);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# 客户分组\n"), "{text}");
    assert!(text.contains("| 分组 | 客户数 | 占比 |"), "{text}");
}

#[test]
fn a_report_refuses_unknown_dimensions_and_overwriting_its_data() {
    let dir = folder(&[("d.csv", b"id,orders,inquiries\nC1,1,0\n")]);
    let out = dir.path().join("r.html").display().to_string();
    let data = dir.path().join("d.csv").display().to_string();
    let ran =
        tradeseg(&["report", "rulesets/purchase_stage.seg", &data, "--crosstab", "stars,regoin", "-o", &out]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("`--crosstab` names regoin"), "{}", ran.stderr);
    let ran = tradeseg(&["report", "rulesets/purchase_stage.seg", &data, "-o", &data]);
    assert_eq!(ran.code, 2);
    assert_eq!(
        std::fs::read_to_string(&data).unwrap(),
        "id,orders,inquiries\nC1,1,0\n",
        "the data is left as it was"
    );
}

/// A headless Chromium on the PATH, if there is one.
fn chromium() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The report as a real browser has it: Chromium (headless) parses the page and gives
/// back its document, and takes a screenshot a reviewer can look at
/// (`target/screenshots/report-*.png`: a desktop width in English, a phone's in Chinese).
/// Skipped with a message where Chromium is not installed, unless
/// TRADESEG_REQUIRE_BROWSER is set (as CI sets it, after installing Debian's chromium).
#[test]
fn the_report_opens_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("TRADESEG_REQUIRE_BROWSER").is_none(), "no Chromium to open the report in");
        eprintln!("SKIPPED the_report_opens_in_a_real_browser: Chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = folder(&[]);
    let shots = root().join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (lang, width) in [("en", 1000), ("zh", 420)] {
        let page = dir.path().join(format!("report-{lang}.html"));
        let args = [
            "report",
            "rulesets/export_sales.seg",
            "examples/data/customers.csv",
            "--as-of",
            "2026-11-01",
            "--lang",
            lang,
            "-o",
            page.to_str().unwrap(),
        ];
        assert_eq!(tradeseg(&args).code, 0);
        let url = format!("file://{}", page.display());
        let headless = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"];
        let dom =
            std::process::Command::new(&browser).args(headless).args(["--dump-dom", &url]).output().unwrap();
        assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
        let dom = String::from_utf8_lossy(&dom.stdout);
        // The browser read the whole page: every section, and the bars drawn in SVG.
        let title = if lang == "en" { "Customer groups" } else { "客户分组" };
        assert!(dom.contains(&format!("<h1>{title}</h1>")), "{dom}");
        assert_eq!(dom.matches("<svg").count(), 10, "nine dimensions and the tags");
        assert!(dom.contains("<td>4-star</td><td class=\"n\">49</td>"), "the run's count");
        assert!(dom.trim_end().ends_with("</html>"));
        let shot = shots.join(format!("report-{lang}.png"));
        let window = format!("--window-size={width},2400");
        let screenshot = format!("--screenshot={}", shot.display());
        let taken = std::process::Command::new(&browser)
            .args(headless)
            .args([&window, &screenshot, &url])
            .output()
            .unwrap();
        assert!(taken.status.success(), "{}", String::from_utf8_lossy(&taken.stderr));
        assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "a screenshot with something on it");
    }
}

#[test]
fn a_report_workbook_has_a_sheet_per_table() {
    let dir = folder(&[]);
    let book = dir.path().join("report.xlsx");
    let args = [
        "report",
        "rulesets/purchase_stage.seg",
        "examples/data/customers.csv",
        "--as-of",
        "2026-11-01",
        "-o",
        book.to_str().unwrap(),
    ];
    let ran = tradeseg(&args);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let sheet = |name: &str| {
        let choice = tradeseg::workbook::SheetChoice::Name(name.to_string());
        tradeseg::workbook::read_sheet(&book, Some(&choice), None, &[])
            .map(|s| String::from_utf8(s.csv).unwrap())
    };
    let stars = sheet("stars").unwrap();
    assert!(stars.starts_with("segment,customers,share\n"), "{stars}");
    assert!(stars.contains("\n4-star,49,16.3%\n"), "{stars}");
    assert!(sheet("Data quality").unwrap().contains("inquiries,1,0.3%,1"));
    assert!(sheet("tags").is_ok());
}
