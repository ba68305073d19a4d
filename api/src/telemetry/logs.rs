//! Log lines on standard error: readable by default, JSON for collectors. Every line written
//! inside a request carries the request's trace id, so a log line leads to its trace.

use std::fmt;
use std::future::Future;
use std::io::IsTerminal;

use clap::ValueEnum;
use opentelemetry::trace::TraceId;
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Layer};

/// How log lines are written to standard error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    #[default]
    Human,
    /// One JSON object per event: `timestamp`, `level`, `target`, `message`, `trace_id`
    /// inside a request, and the event's own fields.
    Json,
}

/// What is logged when `RUST_LOG` does not say: `info`, but not PostgreSQL's notices (such as
/// "relation already exists, skipping" on every start), which tell an operator nothing.
const DEFAULT_FILTER: &str = "info,sqlx::postgres::notice=warn";

/// The log layer: `RUST_LOG` filters it (default [`DEFAULT_FILTER`]), `format` shapes its lines.
pub fn layer<S>(format: LogFormat) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(format == LogFormat::Human && std::io::stderr().is_terminal())
        .event_format(Lines { format })
        .fmt_fields(NoSpanFields)
        .with_filter(filter)
}

/// Span fields are for traces: log lines show an event's own fields and the trace id only, so
/// the log layer keeps no formatted copy of any span's.
struct NoSpanFields;

impl<'writer> FormatFields<'writer> for NoSpanFields {
    fn format_fields<R: tracing_subscriber::field::RecordFields>(
        &self,
        _writer: Writer<'writer>,
        _fields: R,
    ) -> fmt::Result {
        Ok(())
    }
}

tokio::task_local! {
    /// The trace id of the request the current task is serving.
    static REQUEST_TRACE_ID: TraceId;
}

/// Runs `work` (a request) so that every line it logs carries `trace_id`. The id lives beside
/// the task rather than on a span, so that logging needs no span and costs nothing when no line
/// is written.
pub async fn with_trace_id<F: Future>(trace_id: TraceId, work: F) -> F::Output {
    REQUEST_TRACE_ID.scope(trace_id, work).await
}

/// An event's fields: its message apart, the others in order.
#[derive(Default)]
struct Fields {
    message: String,
    others: Vec<(&'static str, Value)>,
}

impl Fields {
    fn push(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
        } else {
            self.others.push((field.name(), value));
        }
    }
}

impl Visit for Fields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.push(field, value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.push(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.push(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.push(field, value.into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.push(field, value.into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let mut chain = value.to_string();
        let mut source = value.source();
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        self.push(field, chain.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.push(field, format!("{value:?}").into());
    }
}

/// Writes each event as one line in the chosen format.
struct Lines {
    format: LogFormat,
}

impl<S, N> FormatEvent<S, N> for Lines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        let timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let trace_id = REQUEST_TRACE_ID.try_with(TraceId::to_string).ok();
        match self.format {
            LogFormat::Json => {
                let mut line = Map::new();
                line.insert("timestamp".into(), timestamp.into());
                line.insert("level".into(), meta.level().as_str().into());
                line.insert("target".into(), meta.target().into());
                line.insert("message".into(), fields.message.into());
                if let Some(trace_id) = trace_id {
                    line.insert("trace_id".into(), trace_id.into());
                }
                for (name, value) in fields.others {
                    line.entry(name).or_insert(value);
                }
                writeln!(writer, "{}", Value::Object(line))
            }
            LogFormat::Human => {
                let level = meta.level();
                if writer.has_ansi_escapes() {
                    let colour = match *level {
                        Level::ERROR => "31",
                        Level::WARN => "33",
                        Level::INFO => "32",
                        _ => "2",
                    };
                    write!(writer, "{timestamp} \x1b[{colour}m{level:>5}\x1b[0m ")?;
                } else {
                    write!(writer, "{timestamp} {level:>5} ")?;
                }
                write!(writer, "{}: {}", meta.target(), fields.message)?;
                for (name, value) in fields.others {
                    match value {
                        Value::String(text) => write!(writer, " {name}={text:?}")?,
                        other => write!(writer, " {name}={other}")?,
                    }
                }
                if let Some(trace_id) = trace_id {
                    write!(writer, " trace_id={trace_id}")?;
                }
                writeln!(writer)
            }
        }
    }
}
