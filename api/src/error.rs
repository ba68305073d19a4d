//! The one error type of the API, with stable codes for programs and plain words for people.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// An error a resolver returns. Each variant maps to one stable `extensions.code`.
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

    /// An `INTERNAL_SERVER_ERROR` caused by `cause`.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(cause.into()))
    }

    /// The stable code clients see in `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::LimitExceeded(_) => "LIMIT_EXCEEDED",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<DbErr> for ApiError {
    fn from(error: DbErr) -> Self {
        Self::internal(error)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        let code = error.code();
        let message = match error {
            ApiError::BadUserInput(message)
            | ApiError::NotFound(message)
            | ApiError::LimitExceeded(message) => {
                tracing::debug!(code, reason = %message, "request rejected");
                message
            }
            ApiError::Internal(cause) => {
                tracing::error!(code, error = format!("{cause:#}"), "request failed");
                "The service failed to answer; the failure has been logged.".to_owned()
            }
        };
        async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", code))
    }
}

/// Gives every error async-graphql raised itself a stable code: `GRAPHQL_PARSE_FAILED` when the
/// document did not parse (`parsed` is false), `LIMIT_EXCEEDED` for one over the depth limit,
/// `BAD_USER_INPUT` for an argument or variable value that does not fit its type,
/// `GRAPHQL_VALIDATION_FAILED` for anything else found before execution (such errors have no
/// path), and `INTERNAL_SERVER_ERROR` for a field that failed without saying why. Errors that
/// carry a code keep it.
pub fn assign_codes(response: &mut async_graphql::Response, parsed: bool) {
    for error in &mut response.errors {
        if error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some())
        {
            continue;
        }
        // async-graphql's messages are the only signal it gives of what failed.
        let message = error.message.as_str();
        let code = if !parsed {
            "GRAPHQL_PARSE_FAILED"
        } else if message.contains("too deep") || message.contains("too complex") {
            "LIMIT_EXCEEDED"
        } else if message.starts_with("Invalid value for argument")
            || message.starts_with("Failed to parse")
        {
            "BAD_USER_INPUT"
        } else if error.path.is_empty() {
            "GRAPHQL_VALIDATION_FAILED"
        } else {
            "INTERNAL_SERVER_ERROR"
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_hides_its_cause_from_the_client() {
        let error: async_graphql::Error =
            ApiError::from(DbErr::Custom("SELECT secret FROM node".to_owned())).into();
        assert!(!error.message.contains("SELECT"), "{}", error.message);
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .cloned();
        assert_eq!(
            code,
            Some(async_graphql::Value::from("INTERNAL_SERVER_ERROR"))
        );
    }
}
