//! `tradeseg studio RULES DATA` and `tradeseg serve RULES`: read what the server needs
//! (the data and event files, once, into memory), pick the address and the token, print
//! the URL, and serve [`tradeseg::server`]'s router until stopped (Ctrl-C).

use super::{DataArgs, Exit};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use tradeseg::events::EventInput;
use tradeseg::messages::io_error;
use tradeseg::msg;
use tradeseg::record::{encoding, Encoding, Source};
use tradeseg::server::guard::{self, Guard};
use tradeseg::server::routes::AppState;
use tradeseg::server::segment::Segmenter;
use tradeseg::server::workspace::{Dataset, Workspace};

/// Where to listen.
#[derive(Debug, Clone, clap::Args)]
pub struct ListenArgs {
    /// The address to listen on. The default serves this computer only; another address
    /// (`0.0.0.0` for all) lets other machines in, with the token.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub listen: IpAddr,
    /// The port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
}

/// Arguments of `tradeseg studio`.
#[derive(Debug, clap::Args)]
pub struct StudioArgs {
    /// The ruleset file to edit.
    pub rules: PathBuf,
    /// The customer export the rules run over (read once, kept in memory).
    pub data: String,
    #[command(flatten)]
    pub data_args: DataArgs,
    #[command(flatten)]
    pub listen: ListenArgs,
}

/// Arguments of `tradeseg serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The ruleset file (reloaded when it changes; a broken edit keeps the last good one).
    pub rules: PathBuf,
    /// As-of date for time-relative rules (default: the day of each request; a request
    /// may give `?as_of=`).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    pub as_of: Option<i32>,
    /// The field that identifies customers in the records.
    #[arg(long, value_name = "FIELD", default_value = "id")]
    pub id: String,
    /// Event streams the rules read (read once, at start).
    #[command(flatten)]
    pub event_args: super::EventArgs,
    #[command(flatten)]
    pub listen: ListenArgs,
}

/// Runs `tradeseg studio`.
pub fn studio(args: StudioArgs) -> Exit {
    match open_studio(&args) {
        Ok((state, watcher)) => {
            let served = serve_until_stopped(&args.listen, state, true);
            drop(watcher);
            served
        }
        Err(exit) => exit,
    }
}

fn open_studio(args: &StudioArgs) -> Result<(AppState, notify::RecommendedWatcher), Exit> {
    // The studio opens on a ruleset with errors too: fixing them is what it is for.
    let wanted = match tradeseg::load::Ruleset::load_allowing(&args.rules, &super::allowed_folders()) {
        Ok(ruleset) => tradeseg::check::columns_read(&ruleset).into_iter().map(|(c, _)| c).collect(),
        Err(e) if !args.rules.is_file() => {
            super::report::diagnostics(&e.diagnostics, &e.sources);
            return Err(Exit::Usage);
        }
        Err(_) => Vec::new(),
    };
    let events = in_memory(args.data_args.event_inputs()?)?;
    let mut input = args.data_args.input_wanting(&args.data, wanted)?;
    let options = args.data_args.run_options(&input, tradeseg::run::OutputFormat::Csv);
    let mut bytes = Vec::new();
    if let Err(e) = input.reader.read_to_end(&mut bytes) {
        super::say_error(msg!("cannot-read-data-file", data = args.data.as_str(), reason = io_error(&e)));
        return Err(Exit::Data);
    }
    let dataset = Dataset { bytes: bytes.into(), options, events };
    let workspace = Arc::new(Workspace::new(args.rules.clone(), dataset).allowing(super::allowed_folders()));
    let (changes, _) = tokio::sync::broadcast::channel(16);
    let watcher = tradeseg::server::watch_folder(workspace.clone(), changes.clone()).map_err(|e| {
        super::say_error(e);
        Exit::Failed
    })?;
    let state = AppState::studio(workspace, changes);
    Ok((state, watcher))
}

/// Runs `tradeseg serve`.
pub fn serve(args: ServeArgs) -> Exit {
    let checked = match super::load_checked_with(&args.rules, true) {
        Ok(checked) => checked,
        Err(exit) => return exit,
    };
    let data_args = DataArgs::for_records(&args.id, args.event_args.clone());
    let events = match data_args.event_inputs().and_then(|e| {
        data_args.check_event_names(&checked)?;
        in_memory(e)
    }) {
        Ok(events) => events,
        Err(exit) => return exit,
    };
    let build = Box::new(|checked: tradeseg::check::Checked| Ok(checked));
    let on_event = |event: tradeseg::reload::ReloadEvent| match event {
        tradeseg::reload::ReloadEvent::Reloaded { .. } => super::say(msg!("serve-reloaded")),
        tradeseg::reload::ReloadEvent::Rejected { report, .. } => {
            super::say(msg!("serve-kept-previous"));
            errln!("{report}");
        }
        tradeseg::reload::ReloadEvent::WatchFailed { message } => super::say_error(message),
        tradeseg::reload::ReloadEvent::Changed { .. } => {}
    };
    let live = match tradeseg::reload::Live::watch_allowing(
        &args.rules,
        super::allowed_folders(),
        Vec::new(),
        build,
        on_event,
    ) {
        Ok(live) => live,
        Err(e) => {
            super::report::diagnostics(&e.diagnostics, &e.sources);
            return Exit::Usage;
        }
    };
    let options = tradeseg::RunOptions::new(tradeseg::CompileOptions {
        as_of: args.as_of.unwrap_or_else(tradeseg::date::today),
        id_column: args.id.clone(),
        decimal_comma: false,
    });
    let segmenter = Segmenter { live, options, as_of: args.as_of, events };
    let state = AppState::serve(Arc::new(segmenter));
    serve_until_stopped(&args.listen, state, false)
}

/// Event files read into memory, decoded, so re-evaluating never reads them again.
fn in_memory(inputs: Vec<EventInput>) -> Result<Vec<EventInput>, Exit> {
    inputs
        .into_iter()
        .map(|mut input| {
            let Source::File(path) = &input.source else { return Ok(input) };
            let shown = path.display().to_string();
            let mut text = String::new();
            let read = encoding::open(&input.source, input.encoding)
                .and_then(|mut o| o.reader.read_to_string(&mut text));
            if let Err(e) = read {
                super::say_error(msg!("cannot-read-events", file = shown, reason = io_error(&e)));
                return Err(Exit::Data);
            }
            input.source = Source::Text(text);
            input.encoding = Encoding::Utf8;
            Ok(input)
        })
        .collect()
}

/// Binds, prints the URL with the token, and serves until the process is stopped.
fn serve_until_stopped(listen: &ListenArgs, state: AppState, studio: bool) -> Exit {
    let token = match std::env::var("TRADESEG_TOKEN").ok().filter(|t| t.len() >= 16) {
        Some(token) => token,
        None => match guard::new_token() {
            Ok(token) => token,
            Err(e) => {
                super::say_error(msg!("server-cannot-start", reason = io_error(&e)));
                return Exit::Failed;
            }
        },
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            super::say_error(msg!("server-cannot-start", reason = io_error(&e)));
            return Exit::Failed;
        }
    };
    runtime.block_on(async move {
        let wanted = SocketAddr::new(listen.listen, listen.port);
        let listener = match tokio::net::TcpListener::bind(wanted).await {
            Ok(listener) => listener,
            Err(e) => {
                super::say_error(msg!(
                    "server-cannot-listen",
                    address = wanted.to_string(),
                    reason = io_error(&e)
                ));
                return Exit::Failed;
            }
        };
        let addr = listener.local_addr().unwrap_or(wanted);
        let shown = match addr.ip() {
            ip if ip.is_unspecified() => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port()),
            _ => addr,
        };
        let url = format!("http://{shown}/?token={token}");
        super::say(match studio {
            true => msg!("studio-listening", url = url.as_str()),
            false => msg!("serve-listening", url = url.as_str()),
        });
        let app = tradeseg::server::router(state, Guard::new(addr, token));
        match axum::serve(listener, app).await {
            Ok(()) => Exit::Done,
            Err(e) => {
                super::say_error(msg!("server-cannot-start", reason = io_error(&e)));
                Exit::Failed
            }
        }
    })
}
