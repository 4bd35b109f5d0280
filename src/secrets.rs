//! The bearer tokens kept in AWS Secrets Manager (`SCIM_TOKEN_SECRET_ARN`), read
//! once when the process starts (a Lambda cold start). The secret holds the token
//! as plain text, or two comma-separated tokens during a rotation. No value read
//! here is ever logged or put in an error message.

use std::time::Duration;

use anyhow::Context;
use aws_config::BehaviorVersion;
use aws_sdk_secretsmanager::config::timeout::TimeoutConfig;
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::config::Config;

/// Why a secret's text is not a usable list of tokens. The messages describe the
/// text without quoting it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenTextError {
    /// Nothing but whitespace and commas.
    #[error("it holds no token")]
    Empty,
    /// A JSON document, as the console's key/value editor stores.
    #[error(
        "it is a JSON document; store the token itself as plain text (two tokens, comma-separated, during a rotation)"
    )]
    Json,
    /// A token with whitespace or control characters inside, e.g. two tokens
    /// separated by a space instead of a comma.
    #[error(
        "token {position} contains whitespace or control characters; separate tokens with a comma"
    )]
    BadCharacter { position: usize },
}

/// Parses a secret's text into tokens: comma-separated, surrounding whitespace
/// ignored (RFC 6750 §2.1 tokens have no inner whitespace).
pub fn parse_tokens(text: &str) -> Result<Vec<String>, TokenTextError> {
    let trimmed = text.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') || trimmed.starts_with('"') {
        return Err(TokenTextError::Json);
    }
    let tokens: Vec<String> = trimmed
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    if tokens.is_empty() {
        return Err(TokenTextError::Empty);
    }
    if let Some(index) = tokens
        .iter()
        .position(|t| t.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(TokenTextError::BadCharacter {
            position: index + 1,
        });
    }
    Ok(tokens)
}

/// A Secrets Manager client from the standard AWS chain (region, credentials,
/// `AWS_ENDPOINT_URL_SECRETS_MANAGER`), with bounded timeouts so a cold start
/// cannot hang on it.
pub async fn client() -> aws_sdk_secretsmanager::Client {
    let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let config = aws_sdk_secretsmanager::config::Builder::from(&shared)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(3))
                .operation_timeout(Duration::from_secs(10))
                .build(),
        )
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

/// GetSecretValue (Secrets Manager API) of `secret_id`, parsed with
/// [`parse_tokens`]. Errors name the secret and what to do, never its value.
pub async fn read_tokens(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> anyhow::Result<Vec<String>> {
    let output = client
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{}", explain(secret_id, e)))?;
    let Some(text) = output.secret_string() else {
        anyhow::bail!(
            "the secret {secret_id} (SCIM_TOKEN_SECRET_ARN) has no SecretString (binary secrets are not supported); store the token as plain text"
        );
    };
    parse_tokens(text).with_context(|| {
        format!("the secret {secret_id} (SCIM_TOKEN_SECRET_ARN) is not a usable token")
    })
}

/// Adds the tokens of `SCIM_TOKEN_SECRET_ARN`, when set, to those of
/// `SCIM_BEARER_TOKEN`. Stops the start if the secret cannot be used.
pub async fn add_secret_tokens(config: &mut Config) -> anyhow::Result<()> {
    let Some(arn) = config.token_secret_arn.clone() else {
        return Ok(());
    };
    let tokens = read_tokens(&client().await, &arn).await?;
    for token in tokens {
        if !config.bearer_tokens.contains(&token) {
            config.bearer_tokens.push(token);
        }
    }
    Ok(())
}

/// What a failed GetSecretValue means for the operator.
fn explain<E>(secret_id: &str, error: SdkError<E>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let what = format!("reading the secret {secret_id} (SCIM_TOKEN_SECRET_ARN)");
    let code = match &error {
        SdkError::ServiceError(service) => service.err().code().map(str::to_owned),
        _ => None,
    };
    match code.as_deref() {
        Some("ResourceNotFoundException") => format!(
            "{what}: no such secret; check SCIM_TOKEN_SECRET_ARN and the region (AWS_REGION)"
        ),
        Some("AccessDeniedException") => format!(
            "{what}: access denied; grant secretsmanager:GetSecretValue on it (and kms:Decrypt on its key) to the role running connect-scim"
        ),
        Some("DecryptionFailure") => format!(
            "{what}: the secret's KMS key refused to decrypt it; grant kms:Decrypt on the key to the role running connect-scim"
        ),
        Some("InvalidRequestException") => {
            format!("{what}: the secret cannot be read now (deleted or scheduled for deletion?)")
        }
        _ => format!("{what}: {}", DisplayErrorContext(&error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_token_is_read_as_is() {
        assert_eq!(parse_tokens("abc123\n").unwrap(), vec!["abc123"]);
    }

    #[test]
    fn two_comma_separated_tokens_are_accepted_during_a_rotation() {
        assert_eq!(parse_tokens(" new , old ").unwrap(), vec!["new", "old"]);
    }

    #[test]
    fn an_empty_secret_is_refused() {
        assert_eq!(parse_tokens(" , \n").unwrap_err(), TokenTextError::Empty);
    }

    #[test]
    fn a_json_secret_is_refused_without_quoting_it() {
        let err = parse_tokens(r#"{"token": "s3cret"}"#).unwrap_err();
        assert_eq!(err, TokenTextError::Json);
        assert!(!err.to_string().contains("s3cret"));
    }

    #[test]
    fn tokens_separated_by_a_space_are_refused_without_quoting_them() {
        let err = parse_tokens("first second").unwrap_err();
        assert_eq!(err, TokenTextError::BadCharacter { position: 1 });
        assert!(!err.to_string().contains("first"));
    }
}
