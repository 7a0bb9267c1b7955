//! `tradeseg history DB`: what the membership history holds: the runs recorded, one
//! customer's timeline, or who moved between segments, as a table, CSV or JSON.

use super::Exit;
use comfy_table::Table;
use std::path::PathBuf;
use tradeseg::history::History;
use tradeseg::msg;

/// Arguments of `tradeseg history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The history file `run --history` writes.
    pub db: PathBuf,
    /// One customer's timeline: per dimension each segment with the dates it entered and left.
    #[arg(long, value_name = "ID", conflicts_with_all = ["moves", "runs"])]
    pub customer: Option<String>,
    /// Who moved from which segment to which: between the last two runs, or since a date.
    #[arg(long)]
    pub moves: bool,
    /// With --moves: compare with the segments customers had on this date.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "moves", value_parser = super::parse_date)]
    pub since: Option<i32>,
    /// With --moves: only this dimension.
    #[arg(long, value_name = "NAME", requires = "moves")]
    pub dimension: Option<String>,
    /// The runs recorded (the default).
    #[arg(long)]
    pub runs: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: HistoryFormat,
}

/// `--format` of `history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    Table,
    Csv,
    Json,
}

/// Runs `tradeseg history`.
pub fn run(args: HistoryArgs) -> Exit {
    if !args.db.exists() {
        super::say_error(msg!("no-history-file", path = args.db.display().to_string()));
        return Exit::Usage;
    }
    let history = match History::open(&args.db) {
        Ok(history) => history,
        Err(e) => {
            super::say_error(e);
            return Exit::Failed;
        }
    };
    let shown = if let Some(id) = &args.customer {
        timeline(&history, id, args.format)
    } else if args.moves {
        let since = args.since.map(tradeseg::date::format);
        moves(&history, since.as_deref(), args.dimension.as_deref(), args.format)
    } else {
        runs(&history, args.format)
    };
    match shown {
        Ok(Some(text)) => {
            out!("{text}");
            Exit::Done
        }
        Ok(None) => Exit::Data,
        Err(e) => {
            super::say_error(e);
            Exit::Failed
        }
    }
}

type Shown = Result<Option<String>, tradeseg::history::HistoryError>;

fn runs(history: &History, format: HistoryFormat) -> Shown {
    let runs = history.runs()?;
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| vec![r.as_of.clone(), r.customers.to_string(), r.data_name.clone(), r.ruleset_hash.clone()])
        .collect();
    Ok(Some(render(format, &["as_of", "customers", "data", "ruleset"], &rows, || serde_json::json!(runs))))
}

fn timeline(history: &History, id: &str, format: HistoryFormat) -> Shown {
    let Some(timeline) = history.timeline(id)? else {
        super::say_error(msg!("history-no-customer", id = id));
        return Ok(None);
    };
    let mut rows = Vec::new();
    for (kind, map) in [("dimension", &timeline.dimensions), ("tag", &timeline.tags)] {
        for (name, stays) in map {
            for stay in stays {
                let what = if kind == "tag" { String::new() } else { stay.segment.clone() };
                rows.push(vec![
                    kind.to_string(),
                    name.clone(),
                    what,
                    stay.from.clone(),
                    stay.to.clone().unwrap_or_default(),
                ]);
            }
        }
    }
    // The runs in which an override pinned the customer: from that run to the pin's end.
    for pin in &timeline.pins {
        let until = pin.until.clone().unwrap_or_default();
        let segment = format!("{} ({})", pin.segment, pin.reason);
        rows.push(vec!["pin".to_string(), pin.dimension.clone(), segment, pin.run.clone(), until]);
    }
    Ok(Some(render(format, &["kind", "name", "segment", "from", "to"], &rows, || {
        serde_json::json!(timeline)
    })))
}

fn moves(history: &History, since: Option<&str>, dimension: Option<&str>, format: HistoryFormat) -> Shown {
    let moves = history.moves(since, dimension)?;
    let none = |s: &Option<String>| s.clone().unwrap_or_else(|| "(none)".to_string());
    let rows: Vec<Vec<String>> = moves
        .iter()
        .map(|m| {
            vec![m.dimension.clone(), none(&m.from), none(&m.to), m.count.to_string(), m.customers.join(";")]
        })
        .collect();
    Ok(Some(render(format, &["dimension", "from", "to", "customers", "ids"], &rows, || {
        serde_json::json!(moves)
    })))
}

/// Rows as an aligned table, CSV, or the JSON `json` gives.
fn render(
    format: HistoryFormat,
    header: &[&str],
    rows: &[Vec<String>],
    json: impl Fn() -> serde_json::Value,
) -> String {
    match format {
        HistoryFormat::Json => format!("{}\n", serde_json::to_string_pretty(&json()).unwrap_or_default()),
        HistoryFormat::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            let _ = writer.write_record(header);
            for row in rows {
                let _ = writer.write_record(row);
            }
            String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
        }
        HistoryFormat::Table => {
            let mut table = Table::new();
            table.load_preset(comfy_table::presets::NOTHING);
            table.set_header(header.to_vec());
            for row in rows {
                table.add_row(row.clone());
            }
            format!("{table}\n")
        }
    }
}
