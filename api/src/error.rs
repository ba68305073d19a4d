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

/// Gives every error async-graphql raises itself a stable code: `GRAPHQL_PARSE_FAILED` for a
/// document that does not parse, `LIMIT_EXCEEDED` for one over the depth or complexity
/// limits, `BAD_USER_INPUT` for an argument or variable value that does not fit its type, and
/// `GRAPHQL_VALIDATION_FAILED` for anything else that does not fit the schema.
pub struct ErrorCodes;

impl async_graphql::extensions::ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn async_graphql::extensions::Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

fn with_code(mut error: async_graphql::ServerError, code: &str) -> async_graphql::ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

#[async_graphql::async_trait::async_trait]
impl async_graphql::extensions::Extension for ErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<async_graphql::parser::types::ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, "GRAPHQL_PARSE_FAILED"))
    }

    async fn validation(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextValidation<'_>,
    ) -> Result<async_graphql::ValidationResult, Vec<async_graphql::ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| {
                    // async-graphql's messages are the only signal it gives of the failed rule.
                    let code = if error.message.contains("too deep")
                        || error.message.contains("too complex")
                    {
                        "LIMIT_EXCEEDED"
                    } else if error.message.starts_with("Invalid value for argument") {
                        "BAD_USER_INPUT"
                    } else {
                        "GRAPHQL_VALIDATION_FAILED"
                    };
                    with_code(error, code)
                })
                .collect()
        })
    }

    async fn execute(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: async_graphql::extensions::NextExecute<'_>,
    ) -> async_graphql::Response {
        let mut response = next.run(ctx, operation_name).await;
        // Resolver errors all carry codes (`ApiError`). Of async-graphql's own, those that
        // coerce an argument are the client's; anything else is ours.
        response.errors = response
            .errors
            .into_iter()
            .map(|error| {
                let input = error.message.starts_with("Failed to parse")
                    || error.message.starts_with("Invalid value for argument");
                with_code(
                    error,
                    if input {
                        "BAD_USER_INPUT"
                    } else {
                        "INTERNAL_SERVER_ERROR"
                    },
                )
            })
            .collect();
        response
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
