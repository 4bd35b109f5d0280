//! Configuration: one environment variable per concern, each documented in the
//! README with its default. Read once at start-up; invalid values stop the process
//! with a message that names the variable.

use std::time::Duration;

use crate::connect::quota::{QuotaConfig, Rate, Scope};
use crate::serve::ServeLimits;

/// What `active: false` does to a Connect user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deactivation {
    /// Swap the user's security profiles for the no-permission profile and
    /// remember the old ones in tags; `active: true` restores them.
    Disable,
    /// DeleteUser, as the AWS sample does (reactivation then finds nothing).
    Delete,
}

/// What POST /Groups does when no security profile has that name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupCreate {
    /// Create a security profile with no permissions, tagged as created by SCIM.
    Create,
    /// Refuse with 400 naming the missing profile.
    Reject,
}

/// What a Group `displayName` change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRename {
    /// Keep the new name in the profile's `scim:displayName` tag (one TagResource).
    Tag,
    /// Refuse with 400 `mutability`, as Connect cannot rename a profile.
    Refuse,
}

/// What a Group PATCH without `attributes`/`excludedAttributes` answers
/// (RFC 7644 §3.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupPatchResponse {
    /// 204, nothing read to render (Entra requires it, Okta accepts it).
    NoContent,
    /// 200 with the group as a GET shows it, members included.
    Resource,
}

/// Which SCIM data decides a user's security profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileSource {
    /// entitlements / department / the Connect extension on the user.
    Attributes,
    /// Group membership only.
    Groups,
}

/// What a mobile number that cannot be read as a phone number does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidPhone {
    /// Log it (without the number) and provision the user without a mobile.
    Ignore,
    /// Refuse the request with 400 naming the attribute.
    Reject,
}

/// Every setting of the service. Its `Debug` shows how many bearer tokens
/// there are, never the tokens.
#[derive(Clone)]
pub struct Config {
    /// `SCIM_BEARER_TOKEN`: accepted bearer tokens (comma-separated, for rotation).
    pub bearer_tokens: Vec<String>,
    /// `SCIM_TOKEN_SECRET_ARN`: Secrets Manager secret holding the token(s).
    pub token_secret_arn: Option<String>,
    /// `CONNECT_INSTANCE_ID`: the Connect instance; unset → embedded simulator.
    pub instance_id: Option<String>,
    /// `DEFAULT_SECURITY_PROFILES` (comma-separated, default `Agent`).
    pub default_security_profiles: Vec<String>,
    /// `DEFAULT_ROUTING_PROFILE` (default `Basic Routing Profile`).
    pub default_routing_profile: String,
    /// `DISABLED_SECURITY_PROFILE` (default `SCIM-Disabled`).
    pub disabled_security_profile: String,
    /// `PROTECTED_SECURITY_PROFILES` (comma-separated, default `Admin`):
    /// profiles no group write links, grants, revokes or deletes.
    pub protected_security_profiles: Vec<String>,
    /// `DEACTIVATION` (`disable` or `delete`, default `disable`).
    pub deactivation: Deactivation,
    /// `ADOPT_EXISTING_USERS` (default false).
    pub adopt_existing_users: bool,
    /// `REQUEST_DEADLINE_MS` (default 25000, under API Gateway's 29 s).
    pub request_deadline: Duration,
    /// `GROUP_CREATE` (`create` or `reject`, default `create`).
    pub group_create: GroupCreate,
    /// `GROUP_RENAME` (`tag` or `refuse`, default `tag`).
    pub group_rename: GroupRename,
    /// `GROUP_PATCH_RESPONSE` (`no-content` or `resource`, default `no-content`).
    pub group_patch_response: GroupPatchResponse,
    /// `PROFILE_SOURCE` (`attributes` or `groups`, default `attributes`).
    pub profile_source: ProfileSource,
    /// `CONNECT_RATE_LIMIT` (requests per second, default 2).
    pub connect_rate: u32,
    /// `CONNECT_BURST` (default 5).
    pub connect_burst: u32,
    /// The quota model: `CONNECT_QUOTA_SCOPE` (`operation` or `account`),
    /// `CONNECT_RATE_LIMIT`/`CONNECT_BURST` for every bucket, and
    /// `CONNECT_QUOTA_OVERRIDES` (`SearchUsers=5/8,CreateUser=4/6`).
    pub quota: QuotaConfig,
    /// `QUOTA_TABLE`: the DynamoDB table (key `pk`) every instance shares for
    /// quota buckets and user leases; unset → in the process.
    pub quota_table: Option<String>,
    /// `QUOTA_KEY_PREFIX`: what the table's keys start with; unset →
    /// `<account>#<region>` from STS GetCallerIdentity, once at start.
    pub quota_key_prefix: Option<String>,
    /// `QUOTA_FALLBACK_FRACTION`: the share of each rate this process spends
    /// alone while `QUOTA_TABLE` cannot be reached (default 0.25).
    pub quota_fallback_fraction: f64,
    /// `PROFILE_CACHE_TTL_SECONDS` (default 300).
    pub profile_cache_ttl: Duration,
    /// `MAX_PAGE_SIZE`: the largest `count` served per list page (default 100).
    pub max_page_size: usize,
    /// `MAX_FILTER_SCAN`: users examined at most for a filter Connect cannot
    /// search by (default 1000); beyond it the filter is refused with `tooMany`.
    pub max_filter_scan: usize,
    /// `DEFAULT_PHONE_REGION`: the country of phone numbers written in national
    /// format (ISO 3166 alpha-2, default `US`).
    pub default_phone_region: phonenumber::country::Id,
    /// `INVALID_PHONE` (`ignore` or `reject`, default `ignore`).
    pub invalid_phone: InvalidPhone,
    /// `DRIFT_DIGEST` (default false): record what SCIM wrote in a `scim:digest`
    /// user tag, so `drift` can name fields changed outside SCIM (one more
    /// TagResource for a write that has no tag change of its own).
    pub drift_digest: bool,
    /// `MAX_IN_FLIGHT_REQUESTS`: SCIM requests one process serves at once
    /// (default 64); past it a request is answered 503 with `Retry-After` at once.
    pub max_in_flight_requests: usize,
    /// `MAPPING_FILE` (default none): mapping rules, read and validated at
    /// start (see [`crate::provisioning::mapping`]).
    pub mapping: Option<std::sync::Arc<crate::provisioning::mapping::Mapping>>,
    /// `LOG_FORMAT` (`text` or `json`; default `json` on Lambda, else `text`).
    pub log_json: bool,
    /// `PUBLIC_BASE_URL`: what clients' URLs carry in front of `/scim/v2`
    /// (`https://scim.example.com`), normalized without a trailing `/` or
    /// `/scim/v2`; unset → the request's host (see `http::extract::Base`).
    pub public_base_url: Option<String>,
    /// `TRUST_FORWARDED_HEADERS` (default false): take the scheme and host of
    /// `Location` from `X-Forwarded-Proto`/`X-Forwarded-Host` when
    /// `PUBLIC_BASE_URL` is unset (a proxy in front sets them).
    pub trust_forwarded_headers: bool,
    /// `serve`'s timeouts and connection cap: `SERVE_HEADER_TIMEOUT_MS`,
    /// `SERVE_BODY_TIMEOUT_MS`, `SERVE_IDLE_TIMEOUT_MS`, `SERVE_MAX_CONNECTIONS`.
    pub serve: ServeLimits,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field(
                "bearer_tokens",
                &format_args!("<{} redacted>", self.bearer_tokens.len()),
            )
            .field("token_secret_arn", &self.token_secret_arn)
            .field("instance_id", &self.instance_id)
            .field("default_security_profiles", &self.default_security_profiles)
            .field("default_routing_profile", &self.default_routing_profile)
            .field("disabled_security_profile", &self.disabled_security_profile)
            .field(
                "protected_security_profiles",
                &self.protected_security_profiles,
            )
            .field("deactivation", &self.deactivation)
            .field("adopt_existing_users", &self.adopt_existing_users)
            .field("request_deadline", &self.request_deadline)
            .field("group_create", &self.group_create)
            .field("group_rename", &self.group_rename)
            .field("group_patch_response", &self.group_patch_response)
            .field("profile_source", &self.profile_source)
            .field("connect_rate", &self.connect_rate)
            .field("connect_burst", &self.connect_burst)
            .field("quota", &self.quota)
            .field("quota_table", &self.quota_table)
            .field("quota_key_prefix", &self.quota_key_prefix)
            .field("quota_fallback_fraction", &self.quota_fallback_fraction)
            .field("profile_cache_ttl", &self.profile_cache_ttl)
            .field("max_page_size", &self.max_page_size)
            .field("max_filter_scan", &self.max_filter_scan)
            .field("default_phone_region", &self.default_phone_region)
            .field("invalid_phone", &self.invalid_phone)
            .field("drift_digest", &self.drift_digest)
            .field("max_in_flight_requests", &self.max_in_flight_requests)
            .field("mapping", &self.mapping.as_ref().map(|m| m.describe()))
            .field("log_json", &self.log_json)
            .field("public_base_url", &self.public_base_url)
            .field("trust_forwarded_headers", &self.trust_forwarded_headers)
            .field("serve", &self.serve)
            .finish()
    }
}

/// A variable that is set but unusable.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let list = |name: &str| -> Option<Vec<String>> {
            get(name).map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
        };
        let in_lambda = get("AWS_LAMBDA_RUNTIME_API").is_some();
        let connect_rate = positive(
            number(get("CONNECT_RATE_LIMIT"), "CONNECT_RATE_LIMIT", 2)?,
            "CONNECT_RATE_LIMIT",
        )?;
        let connect_burst = positive(
            number(get("CONNECT_BURST"), "CONNECT_BURST", 5)?,
            "CONNECT_BURST",
        )?;
        let quota = QuotaConfig {
            scope: match get("CONNECT_QUOTA_SCOPE") {
                None => Scope::Operation,
                Some(v) => Scope::parse(&v).map_err(|problem| ConfigError {
                    name: "CONNECT_QUOTA_SCOPE",
                    problem,
                })?,
            },
            default: Rate {
                per_second: f64::from(connect_rate),
                burst: connect_burst,
            },
            overrides: QuotaConfig::parse_overrides(
                &get("CONNECT_QUOTA_OVERRIDES").unwrap_or_default(),
            )
            .map_err(|problem| ConfigError {
                name: "CONNECT_QUOTA_OVERRIDES",
                problem,
            })?,
        };
        let quota_fallback_fraction = match get("QUOTA_FALLBACK_FRACTION") {
            None => 0.25,
            Some(v) => match v.parse::<f64>() {
                Ok(f) if f > 0.0 && f <= 1.0 => f,
                _ => return Err(bad("QUOTA_FALLBACK_FRACTION", &v, "a number in (0, 1]")),
            },
        };
        Ok(Config {
            bearer_tokens: list("SCIM_BEARER_TOKEN").unwrap_or_default(),
            token_secret_arn: get("SCIM_TOKEN_SECRET_ARN"),
            instance_id: get("CONNECT_INSTANCE_ID"),
            default_security_profiles: list("DEFAULT_SECURITY_PROFILES")
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| vec!["Agent".to_owned()]),
            default_routing_profile: get("DEFAULT_ROUTING_PROFILE")
                .unwrap_or_else(|| "Basic Routing Profile".to_owned()),
            disabled_security_profile: get("DISABLED_SECURITY_PROFILE")
                .unwrap_or_else(|| "SCIM-Disabled".to_owned()),
            protected_security_profiles: list("PROTECTED_SECURITY_PROFILES")
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| vec!["Admin".to_owned()]),
            deactivation: match get("DEACTIVATION").as_deref().map(str::to_ascii_lowercase) {
                None => Deactivation::Disable,
                Some(v) if v == "disable" => Deactivation::Disable,
                Some(v) if v == "delete" => Deactivation::Delete,
                Some(v) => return Err(bad("DEACTIVATION", &v, "`disable` or `delete`")),
            },
            adopt_existing_users: flag(get("ADOPT_EXISTING_USERS"), "ADOPT_EXISTING_USERS")?,
            request_deadline: Duration::from_millis(number(
                get("REQUEST_DEADLINE_MS"),
                "REQUEST_DEADLINE_MS",
                25_000,
            )?),
            group_create: match get("GROUP_CREATE").as_deref().map(str::to_ascii_lowercase) {
                None => GroupCreate::Create,
                Some(v) if v == "create" => GroupCreate::Create,
                Some(v) if v == "reject" => GroupCreate::Reject,
                Some(v) => return Err(bad("GROUP_CREATE", &v, "`create` or `reject`")),
            },
            group_rename: match get("GROUP_RENAME").as_deref().map(str::to_ascii_lowercase) {
                None => GroupRename::Tag,
                Some(v) if v == "tag" => GroupRename::Tag,
                Some(v) if v == "refuse" => GroupRename::Refuse,
                Some(v) => return Err(bad("GROUP_RENAME", &v, "`tag` or `refuse`")),
            },
            group_patch_response: match get("GROUP_PATCH_RESPONSE")
                .as_deref()
                .map(str::to_ascii_lowercase)
            {
                None => GroupPatchResponse::NoContent,
                Some(v) if v == "no-content" => GroupPatchResponse::NoContent,
                Some(v) if v == "resource" => GroupPatchResponse::Resource,
                Some(v) => {
                    return Err(bad(
                        "GROUP_PATCH_RESPONSE",
                        &v,
                        "`no-content` or `resource`",
                    ));
                }
            },
            profile_source: match get("PROFILE_SOURCE")
                .as_deref()
                .map(str::to_ascii_lowercase)
            {
                None => ProfileSource::Attributes,
                Some(v) if v == "attributes" => ProfileSource::Attributes,
                Some(v) if v == "groups" => ProfileSource::Groups,
                Some(v) => return Err(bad("PROFILE_SOURCE", &v, "`attributes` or `groups`")),
            },
            connect_rate,
            connect_burst,
            quota,
            quota_table: get("QUOTA_TABLE"),
            quota_key_prefix: get("QUOTA_KEY_PREFIX"),
            quota_fallback_fraction,
            profile_cache_ttl: Duration::from_secs(number(
                get("PROFILE_CACHE_TTL_SECONDS"),
                "PROFILE_CACHE_TTL_SECONDS",
                300,
            )?),
            max_page_size: positive(
                number(get("MAX_PAGE_SIZE"), "MAX_PAGE_SIZE", 100)?,
                "MAX_PAGE_SIZE",
            )?,
            max_filter_scan: positive(
                number(get("MAX_FILTER_SCAN"), "MAX_FILTER_SCAN", 1000)?,
                "MAX_FILTER_SCAN",
            )?,
            default_phone_region: match get("DEFAULT_PHONE_REGION") {
                None => phonenumber::country::Id::US,
                Some(v) => crate::provisioning::phone::region(&v).ok_or_else(|| {
                    bad(
                        "DEFAULT_PHONE_REGION",
                        &v,
                        "a two-letter ISO 3166 country code such as `US` or `GB`",
                    )
                })?,
            },
            drift_digest: flag(get("DRIFT_DIGEST"), "DRIFT_DIGEST")?,
            mapping: match get("MAPPING_FILE").filter(|p| !p.trim().is_empty()) {
                None => None,
                Some(path) => Some(std::sync::Arc::new(
                    crate::provisioning::mapping::Mapping::load(std::path::Path::new(&path))
                        .map_err(|problem| ConfigError {
                            name: "MAPPING_FILE",
                            problem: format!("{path}: {problem}"),
                        })?,
                )),
            },
            invalid_phone: match get("INVALID_PHONE").as_deref().map(str::to_ascii_lowercase) {
                None => InvalidPhone::Ignore,
                Some(v) if v == "ignore" => InvalidPhone::Ignore,
                Some(v) if v == "reject" => InvalidPhone::Reject,
                Some(v) => return Err(bad("INVALID_PHONE", &v, "`ignore` or `reject`")),
            },
            max_in_flight_requests: positive(
                number(get("MAX_IN_FLIGHT_REQUESTS"), "MAX_IN_FLIGHT_REQUESTS", 64)?,
                "MAX_IN_FLIGHT_REQUESTS",
            )?,
            log_json: match get("LOG_FORMAT").as_deref().map(str::to_ascii_lowercase) {
                None => in_lambda,
                Some(v) if v == "json" => true,
                Some(v) if v == "text" => false,
                Some(v) => return Err(bad("LOG_FORMAT", &v, "`json` or `text`")),
            },
            public_base_url: get("PUBLIC_BASE_URL")
                .map(|v| public_base_url(&v))
                .transpose()?,
            trust_forwarded_headers: flag(
                get("TRUST_FORWARDED_HEADERS"),
                "TRUST_FORWARDED_HEADERS",
            )?,
            serve: serve_limits(&get)?,
        })
    }
}

/// `serve`'s limits, each a positive number (defaults: [`ServeLimits::default`]).
fn serve_limits(get: &dyn Fn(&str) -> Option<String>) -> Result<ServeLimits, ConfigError> {
    let defaults = ServeLimits::default();
    let millis = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
        let default = default.as_millis() as u64;
        Ok(Duration::from_millis(positive(
            number(get(name), name, default)?,
            name,
        )?))
    };
    Ok(ServeLimits {
        header_timeout: millis("SERVE_HEADER_TIMEOUT_MS", defaults.header_timeout)?,
        body_timeout: millis("SERVE_BODY_TIMEOUT_MS", defaults.body_timeout)?,
        idle_timeout: millis("SERVE_IDLE_TIMEOUT_MS", defaults.idle_timeout)?,
        max_connections: positive(
            number(
                get("SERVE_MAX_CONNECTIONS"),
                "SERVE_MAX_CONNECTIONS",
                defaults.max_connections,
            )?,
            "SERVE_MAX_CONNECTIONS",
        )?,
    })
}

/// `PUBLIC_BASE_URL` checked and normalized: an `http` or `https` URL with a
/// host and no user, query or fragment; a trailing `/` or `/scim/v2` is dropped.
fn public_base_url(value: &str) -> Result<String, ConfigError> {
    let expected = "an http or https URL such as https://scim.example.com (no query)";
    let invalid = || bad("PUBLIC_BASE_URL", value, expected);
    let uri: http::Uri = value.parse().map_err(|_| invalid())?;
    let scheme = uri.scheme_str().map(str::to_ascii_lowercase);
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    if !matches!(scheme.as_deref(), Some("http" | "https"))
        || authority.is_empty()
        || authority.contains('@')
        || uri.query().is_some()
        || value.contains('#')
    {
        return Err(invalid());
    }
    let path = uri.path().trim_end_matches('/');
    let path = path.strip_suffix(crate::http::BASE_PATH).unwrap_or(path);
    let scheme = scheme.unwrap_or_default();
    Ok(format!("{scheme}://{authority}{path}"))
}

fn bad(name: &'static str, value: &str, expected: &str) -> ConfigError {
    ConfigError {
        name,
        problem: format!("`{value}` is not valid; expected {expected}"),
    }
}

fn flag(value: Option<String>, name: &'static str) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(v) => Err(bad(name, v, "`true` or `false`")),
    }
}

fn number<T: std::str::FromStr>(
    value: Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| bad(name, &v, "a whole number")),
    }
}

fn positive<T: PartialOrd + Default>(value: T, name: &'static str) -> Result<T, ConfigError> {
    if value > T::default() {
        Ok(value)
    } else {
        Err(ConfigError {
            name,
            problem: "must be greater than zero".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_match_the_readme() {
        let c = config(&[]).unwrap();
        assert_eq!(c.default_security_profiles, vec!["Agent"]);
        assert_eq!(c.default_routing_profile, "Basic Routing Profile");
        assert_eq!(c.disabled_security_profile, "SCIM-Disabled");
        assert_eq!(c.protected_security_profiles, vec!["Admin"]);
        assert_eq!(c.deactivation, Deactivation::Disable);
        assert_eq!(c.request_deadline, Duration::from_millis(25_000));
        assert_eq!((c.connect_rate, c.connect_burst), (2, 5));
        assert_eq!(c.quota, QuotaConfig::default());
        assert!(c.quota_table.is_none() && c.quota_key_prefix.is_none());
        assert!(!c.adopt_existing_users && !c.log_json);
        assert!(c.public_base_url.is_none() && !c.trust_forwarded_headers);
        assert_eq!(c.serve, ServeLimits::default());
        assert_eq!(c.serve.header_timeout, Duration::from_secs(10));
        assert_eq!(c.serve.max_connections, 256);
        assert!(c.bearer_tokens.is_empty() && c.instance_id.is_none());
        assert_eq!(c.max_in_flight_requests, 64);
        assert_eq!(c.default_phone_region, phonenumber::country::Id::US);
        assert_eq!(c.invalid_phone, InvalidPhone::Ignore);
    }

    #[test]
    fn phone_settings_are_read_and_checked() {
        let c = config(&[("DEFAULT_PHONE_REGION", "gb"), ("INVALID_PHONE", "Reject")]).unwrap();
        assert_eq!(c.default_phone_region, phonenumber::country::Id::GB);
        assert_eq!(c.invalid_phone, InvalidPhone::Reject);
        let err = config(&[("DEFAULT_PHONE_REGION", "Narnia")]).unwrap_err();
        assert_eq!(err.name, "DEFAULT_PHONE_REGION");
        assert_eq!(
            config(&[("INVALID_PHONE", "drop")]).unwrap_err().name,
            "INVALID_PHONE"
        );
    }

    #[test]
    fn the_quota_model_is_read_from_scope_rate_and_overrides() {
        let c = config(&[
            ("CONNECT_QUOTA_SCOPE", "Account"),
            ("CONNECT_RATE_LIMIT", "3"),
            ("CONNECT_QUOTA_OVERRIDES", "all=4/6"),
            ("QUOTA_TABLE", "connect-scim-quota"),
        ])
        .unwrap();
        assert_eq!(c.quota.scope, Scope::Account);
        assert_eq!(
            c.quota.default,
            Rate {
                per_second: 3.0,
                burst: 5
            }
        );
        assert_eq!(
            c.quota.bucket("CreateUser").1,
            Rate {
                per_second: 4.0,
                burst: 6
            }
        );
        assert_eq!(c.quota_table.as_deref(), Some("connect-scim-quota"));
        let err = config(&[("CONNECT_QUOTA_OVERRIDES", "CreateUser=fast")]).unwrap_err();
        assert_eq!(err.name, "CONNECT_QUOTA_OVERRIDES");
        let err = config(&[("CONNECT_QUOTA_SCOPE", "region")]).unwrap_err();
        assert_eq!(err.name, "CONNECT_QUOTA_SCOPE");
    }

    #[test]
    fn several_tokens_are_accepted_for_rotation() {
        let c = config(&[("SCIM_BEARER_TOKEN", " new , old ")]).unwrap();
        assert_eq!(c.bearer_tokens, vec!["new", "old"]);
    }

    #[test]
    fn debug_output_never_shows_a_token() {
        let c = config(&[("SCIM_BEARER_TOKEN", "s3cr3t-value")]).unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("s3cr3t-value") && shown.contains("1 redacted"),
            "{shown}"
        );
    }

    #[test]
    fn an_unknown_deactivation_policy_names_the_variable() {
        let err = config(&[("DEACTIVATION", "suspend")]).unwrap_err();
        assert_eq!(err.name, "DEACTIVATION");
    }

    #[test]
    fn public_base_url_is_normalized_without_a_trailing_scim_path() {
        for (given, kept) in [
            ("https://scim.example.com", "https://scim.example.com"),
            ("HTTPS://scim.example.com/", "https://scim.example.com"),
            ("https://h.example/prod/scim/v2/", "https://h.example/prod"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ] {
            let c = config(&[("PUBLIC_BASE_URL", given)]).unwrap();
            assert_eq!(c.public_base_url.as_deref(), Some(kept), "{given}");
        }
        for refused in [
            "https://user@h.example",
            "https://h.example/?x=1",
            "h.example",
        ] {
            let err = config(&[("PUBLIC_BASE_URL", refused)]).unwrap_err();
            assert_eq!(err.name, "PUBLIC_BASE_URL", "{refused}");
        }
    }

    #[test]
    fn serve_limits_are_read_and_zero_is_refused() {
        let c = config(&[
            ("SERVE_IDLE_TIMEOUT_MS", "500"),
            ("SERVE_MAX_CONNECTIONS", "8"),
        ])
        .unwrap();
        assert_eq!(c.serve.idle_timeout, Duration::from_millis(500));
        assert_eq!(c.serve.max_connections, 8);
        let err = config(&[("SERVE_HEADER_TIMEOUT_MS", "0")]).unwrap_err();
        assert_eq!(err.name, "SERVE_HEADER_TIMEOUT_MS");
    }

    #[test]
    fn a_zero_rate_is_refused() {
        assert!(config(&[("CONNECT_RATE_LIMIT", "0")]).is_err());
    }
}
