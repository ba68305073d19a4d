//! The one error type of the API, with stable codes for programs and plain words for people.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Every `extensions.code` the service returns, in one list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// The HTTP request is not a GraphQL request: wrong method, media type or body shape.
    BadRequest,
    /// The document does not parse.
    GraphqlParseFailed,
    /// The document does not fit the schema.
    GraphqlValidationFailed,
    /// A value the client gave is wrong; the message says how to fix it.
    BadUserInput,
    /// A required lookup found nothing.
    NotFound,
    /// The request needs credentials it did not present.
    Unauthenticated,
    /// The request asked for more than a limit allows; the message names the limit.
    LimitExceeded,
    /// The request did not finish in time.
    Timeout,
    /// The service cannot answer now (starting, stopping, or its database unreachable or
    /// saturated); the request may be sent again.
    Unavailable,
    /// Something failed inside the service; the cause is logged, never sent.
    InternalServerError,
    /// A persisted query's hash names no document the service keeps: send the document with
    /// its hash once.
    PersistedQueryNotFound,
}

impl Code {
    /// Every code.
    pub const ALL: [Code; 11] = [
        Code::BadRequest,
        Code::GraphqlParseFailed,
        Code::GraphqlValidationFailed,
        Code::BadUserInput,
        Code::NotFound,
        Code::Unauthenticated,
        Code::LimitExceeded,
        Code::Timeout,
        Code::Unavailable,
        Code::InternalServerError,
        Code::PersistedQueryNotFound,
    ];

    /// The code as clients see it in `extensions.code`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::BadRequest => "BAD_REQUEST",
            Code::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Code::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::NotFound => "NOT_FOUND",
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::LimitExceeded => "LIMIT_EXCEEDED",
            Code::Timeout => "TIMEOUT",
            Code::Unavailable => "UNAVAILABLE",
            Code::InternalServerError => "INTERNAL_SERVER_ERROR",
            Code::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
        }
    }

    /// The code of an error the service returned; `None` for an error without a code.
    pub fn of(error: &async_graphql::ServerError) -> Option<Code> {
        match error.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(code) => {
                Code::ALL.into_iter().find(|c| c.as_str() == code)
            }
            _ => None,
        }
    }

    /// Whether the code means the service, not the client, failed.
    pub const fn is_server_fault(self) -> bool {
        matches!(
            self,
            Code::InternalServerError | Code::Timeout | Code::Unavailable
        )
    }

    /// A GraphQL error with this code and `message`, at no position.
    pub fn error(self, message: impl Into<String>) -> async_graphql::ServerError {
        let mut error = async_graphql::ServerError::new(message, None);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", self.as_str());
        error
    }
}

/// An error a resolver returns. Each variant maps to one stable [`Code`].
///
/// It deliberately does not implement `Display`: async-graphql converts any `Display` type into
/// an error that shows its text to the client, and an internal cause must never reach one.
#[derive(Clone, Debug)]
pub enum ApiError {
    /// The request is wrong; the message says how to fix it.
    BadUserInput(String),
    /// A required lookup found nothing.
    NotFound(String),
    /// A request asked for more than a limit allows.
    LimitExceeded(String),
    /// The database cannot serve the request now: unreachable, or every connection busy.
    Unavailable(Arc<anyhow::Error>),
    /// The database cancelled a statement that ran past the request's time.
    Timeout,
    /// Something failed inside the service; the cause is logged, never sent.
    Internal(Arc<anyhow::Error>),
}

impl ApiError {
    /// A `BAD_USER_INPUT` error with `message`.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput(message.into())
    }

    /// A `NOT_FOUND` error with `message`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    /// A `LIMIT_EXCEEDED` error with `message`.
    pub fn limit(message: impl Into<String>) -> Self {
        Self::LimitExceeded(message.into())
    }

    /// An `INTERNAL_SERVER_ERROR` caused by `cause`.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(cause.into()))
    }

    /// The stable code clients see in `extensions.code`.
    pub fn code(&self) -> Code {
        match self {
            Self::BadUserInput(_) => Code::BadUserInput,
            Self::NotFound(_) => Code::NotFound,
            Self::LimitExceeded(_) => Code::LimitExceeded,
            Self::Unavailable(_) => Code::Unavailable,
            Self::Timeout => Code::Timeout,
            Self::Internal(_) => Code::InternalServerError,
        }
    }
}

/// Whether a database error means the database could not be reached or had no connection to
/// spare, rather than a fault of the statement.
pub fn is_unavailable(error: &DbErr) -> bool {
    match error {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(_) => true,
        DbErr::Query(sea_orm::RuntimeErr::SqlxError(error))
        | DbErr::Exec(sea_orm::RuntimeErr::SqlxError(error)) => {
            govgraph_read::store::is_connection_lost(error)
        }
        _ => false,
    }
}

/// Whether PostgreSQL cancelled the statement for running past its `statement_timeout`.
fn is_cancelled_for_time(error: &DbErr) -> bool {
    match error {
        DbErr::Query(sea_orm::RuntimeErr::SqlxError(error)) => match &**error {
            sea_orm::sqlx::Error::Database(error) => error.code().as_deref() == Some("57014"),
            _ => false,
        },
        _ => false,
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        if is_cancelled_for_time(&error) {
            Self::Timeout
        } else if is_unavailable(&error) {
            Self::Unavailable(Arc::new(error.into()))
        } else {
            Self::internal(error)
        }
    }
}

impl From<govgraph_read::traversal::WalkError> for ApiError {
    fn from(error: govgraph_read::traversal::WalkError) -> Self {
        match error {
            govgraph_read::traversal::WalkError::TooWide { .. } => Self::LimitExceeded(format!(
                "the walk is too wide: {error}; narrow it with `predicates` or fewer hops"
            )),
            govgraph_read::traversal::WalkError::Database(error) => error.into(),
        }
    }
}

impl From<govgraph_read::page::PageError> for ApiError {
    fn from(error: govgraph_read::page::PageError) -> Self {
        Self::BadUserInput(error.0)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        let code = error.code().as_str();
        let message = match error {
            ApiError::BadUserInput(message)
            | ApiError::NotFound(message)
            | ApiError::LimitExceeded(message) => {
                tracing::debug!(code, reason = %message, "request rejected");
                message
            }
            ApiError::Timeout => {
                tracing::debug!(code, "statement cancelled for time");
                "the request did not finish in time".to_owned()
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(code, error = format!("{cause:#}"), "database unavailable");
                "The database cannot answer now; send the request again in a moment.".to_owned()
            }
            ApiError::Internal(cause) => {
                tracing::error!(code, error = format!("{cause:#}"), "request failed");
                "The service failed to answer; the failure has been logged.".to_owned()
            }
        };
        async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", code))
    }
}

impl ApiError {
    /// This error as a GraphQL error at no position.
    pub fn into_server_error(self) -> async_graphql::ServerError {
        async_graphql::Error::from(self).into_server_error(Default::default())
    }
}

/// An input value that does not fit its type, for an input type's `parse`: the error carries
/// `BAD_USER_INPUT` itself, so that no message needs reading to classify it.
pub fn bad_input_value<T: async_graphql::InputType>(
    message: impl std::fmt::Display,
) -> async_graphql::InputValueError<T> {
    async_graphql::InputValueError::custom(message)
        .with_extension("code", Code::BadUserInput.as_str())
}

/// The starts of the messages by which async-graphql reports a value that does not fit its
/// type: its validation rule for argument values and its own input parsers attach nothing else
/// to say so (no code, no source, no kind), so for these alone the message is read.
const INPUT_VALUE_MESSAGES: [&str; 2] = ["Invalid value for argument", "Failed to parse"];

/// The code of an error async-graphql raised without one.
///
/// - an argument or variable value that does not fit its type: `BAD_USER_INPUT`;
/// - anything else found before execution, which async-graphql reports without a path (a parse
///   error already has its code from the document cache): `GRAPHQL_VALIDATION_FAILED`;
/// - a field that failed without saying why: `INTERNAL_SERVER_ERROR`.
pub fn code_of_uncoded(error: &async_graphql::ServerError) -> Code {
    if INPUT_VALUE_MESSAGES
        .iter()
        .any(|start| error.message.starts_with(start))
    {
        Code::BadUserInput
    } else if error.path.is_empty() {
        Code::GraphqlValidationFailed
    } else {
        Code::InternalServerError
    }
}

/// Gives every error of `response` a stable code: errors that carry one (every error of the
/// service's own, and every input value its own types refuse) keep it; the rest get
/// [`code_of_uncoded`].
pub fn assign_codes(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        if Code::of(error).is_some() {
            continue;
        }
        let code = code_of_uncoded(error);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(error: &async_graphql::Error) -> Option<async_graphql::Value> {
        error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .cloned()
    }

    #[test]
    fn an_internal_error_hides_its_cause_from_the_client() {
        let error: async_graphql::Error =
            ApiError::from(DbErr::Custom("SELECT secret FROM node".to_owned())).into();
        assert!(!error.message.contains("SELECT"), "{}", error.message);
        assert_eq!(
            code_of(&error),
            Some(async_graphql::Value::from("INTERNAL_SERVER_ERROR"))
        );
    }

    #[test]
    fn a_pool_with_no_connection_to_spare_is_unavailable_not_an_internal_error() {
        let error = ApiError::from(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout));
        assert_eq!(error.code(), Code::Unavailable);
        let error: async_graphql::Error = error.into();
        assert_eq!(
            code_of(&error),
            Some(async_graphql::Value::from("UNAVAILABLE"))
        );
    }

    #[test]
    fn every_code_reads_back_from_an_error_that_carries_it() {
        for code in Code::ALL {
            assert_eq!(Code::of(&code.error("message")), Some(code));
        }
    }

    #[test]
    fn an_input_value_refused_by_a_type_of_ours_carries_its_code() {
        let error =
            bad_input_value::<String>("no").into_server_error(async_graphql::Pos::default());
        assert_eq!(Code::of(&error), Some(Code::BadUserInput));
    }

    #[test]
    fn async_graphql_errors_get_codes_by_what_failed() {
        let mut response = async_graphql::Response::from_errors(vec![
            async_graphql::ServerError::new("Unknown field \"planets\"", None),
            async_graphql::ServerError::new("Invalid value for argument \"first\"", None),
            async_graphql::ServerError::new("Failed to parse \"OrganisationKind\"", None),
            {
                let mut error = async_graphql::ServerError::new("boom", None);
                error.path = vec![async_graphql::PathSegment::Field("name".to_owned())];
                error
            },
            Code::NotFound.error("kept"),
        ]);
        assign_codes(&mut response);
        let codes: Vec<Option<Code>> = response.errors.iter().map(Code::of).collect();
        assert_eq!(
            codes,
            vec![
                Some(Code::GraphqlValidationFailed),
                Some(Code::BadUserInput),
                Some(Code::BadUserInput),
                Some(Code::InternalServerError),
                Some(Code::NotFound),
            ]
        );
    }
}
