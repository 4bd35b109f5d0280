//! The restJson1 wire details Amazon Connect clients rely on: modeled errors
//! (status, `x-amzn-ErrorType`, `{"Message"}` body), opaque pagination tokens,
//! query-string parsing and typed access to JSON request bodies.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};

/// A Connect API error as the service renders it (restJson1 error shapes of
/// the Connect 2017-08-08 model).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The modeled shape name, e.g. `ResourceNotFoundException`.
    pub kind: &'static str,
    /// The HTTP status the shape declares (`error.httpStatusCode`).
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    fn new(kind: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            status,
            message: message.into(),
        }
    }

    /// `InvalidParameterException` (400).
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(
            "InvalidParameterException",
            StatusCode::BAD_REQUEST,
            message,
        )
    }

    /// `ResourceNotFoundException` (404).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", StatusCode::NOT_FOUND, message)
    }

    /// `DuplicateResourceException` (409).
    pub fn duplicate(message: impl Into<String>) -> Self {
        Self::new("DuplicateResourceException", StatusCode::CONFLICT, message)
    }

    /// `ResourceInUseException` (409).
    pub fn in_use(message: impl Into<String>) -> Self {
        Self::new("ResourceInUseException", StatusCode::CONFLICT, message)
    }

    /// `LimitExceededException` (429).
    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new(
            "LimitExceededException",
            StatusCode::TOO_MANY_REQUESTS,
            message,
        )
    }

    /// `ThrottlingException` (429), what Connect answers over its API quota.
    pub fn throttled() -> Self {
        Self::new(
            "ThrottlingException",
            StatusCode::TOO_MANY_REQUESTS,
            "Rate exceeded",
        )
    }

    /// `InternalServiceException` (500).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            "InternalServiceException",
            StatusCode::INTERNAL_SERVER_ERROR,
            message,
        )
    }

    /// What AWS front ends answer for a path no operation owns.
    pub fn unknown_operation(method: &str, path: &str) -> Self {
        Self::new(
            "UnknownOperationException",
            StatusCode::NOT_FOUND,
            format!("No Connect operation for {method} {path}"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "Message": self.message, "__type": self.kind });
        let mut response = (self.status, json_body(&body)).into_response();
        let headers = response.headers_mut();
        headers.insert("x-amzn-ErrorType", HeaderValue::from_static(self.kind));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// A successful restJson1 answer: 200 with a JSON body.
pub fn ok(body: &Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json_body(body),
    )
        .into_response()
}

fn json_body(body: &Value) -> String {
    serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned())
}

/// Result of an operation: the output document or a modeled error.
pub type ApiResult = Result<Value, ApiError>;

/// Decoded query-string parameters, repeated names kept (`tagKeys`).
#[derive(Debug, Default, Clone)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses a raw query string, percent-decoding names and values.
    /// `+` is kept literally: AWS clients percent-encode spaces.
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(name), decode(value))
            })
            .collect();
        Query(pairs)
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// `maxResults` within `1..=max`, else `default`.
    pub fn max_results(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get("maxResults") {
            None => Ok(default),
            Some(raw) => {
                let n: i64 = raw.parse().map_err(|_| {
                    ApiError::invalid_parameter(format!("maxResults must be an integer: {raw:?}"))
                })?;
                check_max_results(n, max)
            }
        }
    }
}

/// Checks a `MaxResults` value against the model's `MaxResultN` range.
pub fn check_max_results(n: i64, max: usize) -> Result<usize, ApiError> {
    if n < 1 || n > max as i64 {
        return Err(ApiError::invalid_parameter(format!(
            "MaxResults must be between 1 and {max}, got {n}"
        )));
    }
    Ok(n as usize)
}

/// Percent-decodes one URI component (path label or query part).
pub fn decode(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

/// Opaque `NextToken`s: the operation they belong to and the sequence number
/// of the last item returned, hex-encoded so clients treat them as opaque.
/// Keyed on sequence numbers, pages neither skip nor repeat items when
/// others are deleted between calls.
pub mod token {
    use super::ApiError;

    /// Encodes a token for `operation` resuming after sequence `after`.
    pub fn encode(operation: &str, after: u64) -> String {
        format!("{operation}:{after}")
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Decodes a token; anything not issued by `operation` is
    /// `InvalidParameterException`.
    pub fn decode(operation: &str, token: &str) -> Result<u64, ApiError> {
        let invalid = || ApiError::invalid_parameter(format!("Invalid NextToken: {token:?}"));
        if !token.len().is_multiple_of(2) || !token.is_ascii() {
            return Err(invalid());
        }
        let bytes = (0..token.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&token[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (op, after) = text.split_once(':').ok_or_else(invalid)?;
        if op != operation {
            return Err(invalid());
        }
        after.parse().map_err(|_| invalid())
    }
}

/// One page of items in sequence order: those after `after`, at most `max`,
/// and the token for the next page when more remain.
pub fn paginate<T>(
    items: Vec<(u64, T)>,
    operation: &str,
    next_token: Option<&str>,
    max: usize,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let after = next_token
        .map(|t| token::decode(operation, t))
        .transpose()?;
    let mut rest = items
        .into_iter()
        .filter(|(seq, _)| after.is_none_or(|a| *seq > a))
        .peekable();
    let mut page = Vec::new();
    let mut last = None;
    while page.len() < max {
        match rest.next() {
            Some((seq, item)) => {
                last = Some(seq);
                page.push(item);
            }
            None => break,
        }
    }
    let next = match (rest.peek(), last) {
        (Some(_), Some(seq)) => Some(token::encode(operation, seq)),
        _ => None,
    };
    Ok((page, next))
}

/// Typed, path-aware access to a JSON request body object: wrong types and
/// missing required members become `InvalidParameterException`s naming the
/// member.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    object: &'a Map<String, Value>,
    path: String,
}

/// Parses a request body; an empty body is `{}`.
pub fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid_parameter(format!("Malformed JSON request body: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::invalid_parameter(
            "The request body must be a JSON object",
        ));
    }
    Ok(value)
}

impl<'a> Fields<'a> {
    /// The top-level members of a parsed body.
    pub fn of(body: &'a Value) -> Result<Self, ApiError> {
        Self::at(body, "")
    }

    fn at(value: &'a Value, path: &str) -> Result<Self, ApiError> {
        match value {
            Value::Object(object) => Ok(Fields {
                object,
                path: path.to_owned(),
            }),
            _ => Err(ApiError::invalid_parameter(format!(
                "{} must be an object",
                if path.is_empty() {
                    "The request body"
                } else {
                    path
                }
            ))),
        }
    }

    fn name(&self, member: &str) -> String {
        if self.path.is_empty() {
            member.to_owned()
        } else {
            format!("{}.{member}", self.path)
        }
    }

    fn value(&self, member: &str) -> Option<&'a Value> {
        self.object.get(member).filter(|v| !v.is_null())
    }

    /// Whether the member is present (and not `null`).
    pub fn has(&self, member: &str) -> bool {
        self.value(member).is_some()
    }

    fn type_error(&self, member: &str, expected: &str) -> ApiError {
        ApiError::invalid_parameter(format!("{} must be {expected}", self.name(member)))
    }

    fn missing(&self, member: &str) -> ApiError {
        ApiError::invalid_parameter(format!("{} is required", self.name(member)))
    }

    /// An optional string member.
    pub fn string(&self, member: &str) -> Result<Option<String>, ApiError> {
        match self.value(member) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.type_error(member, "a string")),
        }
    }

    /// A required string member.
    pub fn required_string(&self, member: &str) -> Result<String, ApiError> {
        self.string(member)?.ok_or_else(|| self.missing(member))
    }

    /// An optional boolean member.
    pub fn boolean(&self, member: &str) -> Result<Option<bool>, ApiError> {
        match self.value(member) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.type_error(member, "a boolean")),
        }
    }

    /// An optional integer member.
    pub fn integer(&self, member: &str) -> Result<Option<i64>, ApiError> {
        match self.value(member) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.type_error(member, "an integer")),
        }
    }

    /// An optional number member (`Float`).
    pub fn float(&self, member: &str) -> Result<Option<f64>, ApiError> {
        match self.value(member) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.type_error(member, "a number")),
        }
    }

    /// An optional nested structure.
    pub fn object(&self, member: &str) -> Result<Option<Fields<'a>>, ApiError> {
        match self.value(member) {
            None => Ok(None),
            Some(Value::Object(object)) => Ok(Some(Fields {
                object,
                path: self.name(member),
            })),
            Some(_) => Err(self.type_error(member, "an object")),
        }
    }

    /// An optional list of structures.
    pub fn objects(&self, member: &str) -> Result<Option<Vec<Fields<'a>>>, ApiError> {
        match self.value(member) {
            None => Ok(None),
            Some(Value::Array(items)) => {
                let path = self.name(member);
                items
                    .iter()
                    .map(|item| Fields::at(item, &path))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some)
            }
            Some(_) => Err(self.type_error(member, "a list")),
        }
    }

    /// An optional list of lists of structures (`TagOrConditionList`).
    pub fn objects_of_lists(&self, member: &str) -> Result<Option<Vec<Vec<Fields<'a>>>>, ApiError> {
        let Some(value) = self.value(member) else {
            return Ok(None);
        };
        let expected = || self.type_error(member, "a list of lists of objects");
        let path = self.name(member);
        let outer = value.as_array().ok_or_else(expected)?;
        outer
            .iter()
            .map(|inner| {
                let inner = inner.as_array().ok_or_else(expected)?;
                inner.iter().map(|item| Fields::at(item, &path)).collect()
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An optional list of strings.
    pub fn strings(&self, member: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.value(member) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| self.type_error(member, "a list of strings"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.type_error(member, "a list of strings")),
        }
    }

    /// An optional string-to-string map (`TagMap`).
    pub fn string_map(
        &self,
        member: &str,
    ) -> Result<Option<std::collections::BTreeMap<String, String>>, ApiError> {
        match self.value(member) {
            None => Ok(None),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|v| (k.clone(), v.to_owned()))
                        .ok_or_else(|| self.type_error(member, "a map of strings"))
                })
                .collect::<Result<_, _>>()
                .map(Some),
            Some(_) => Err(self.type_error(member, "a map of strings")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_are_bound_to_their_operation() {
        let t = token::encode("ListUsers", 42);
        assert_eq!(token::decode("ListUsers", &t), Ok(42));
        assert!(token::decode("SearchUsers", &t).is_err());
        assert!(token::decode("ListUsers", "garbage").is_err());
        assert!(token::decode("ListUsers", "zz").is_err());
    }

    #[test]
    fn pagination_resumes_after_the_last_item_even_when_items_disappear() {
        let items: Vec<(u64, u64)> = (1..=5).map(|i| (i, i)).collect();
        let (page, next) = paginate(items.clone(), "Op", None, 2).unwrap();
        assert_eq!(page, vec![1, 2]);
        let next = next.unwrap();
        let without_3: Vec<_> = items.into_iter().filter(|(s, _)| *s != 3).collect();
        let (page, next) = paginate(without_3, "Op", Some(&next), 2).unwrap();
        assert_eq!(page, vec![4, 5]);
        assert_eq!(next, None);
    }

    #[test]
    fn an_exactly_full_last_page_has_no_next_token() {
        let items: Vec<(u64, u64)> = (1..=4).map(|i| (i, i)).collect();
        let (page, next) = paginate(items, "Op", None, 4).unwrap();
        assert_eq!(page.len(), 4);
        assert_eq!(next, None);
    }

    #[test]
    fn query_keeps_repeated_names_and_decodes() {
        let q = Query::parse(Some("tagKeys=a%2Fb&tagKeys=c+d&maxResults=7"));
        assert_eq!(q.all("tagKeys"), vec!["a/b", "c+d"]);
        assert_eq!(q.max_results(100, 1000), Ok(7));
        assert!(
            Query::parse(Some("maxResults=0"))
                .max_results(1, 10)
                .is_err()
        );
        assert!(
            Query::parse(Some("maxResults=x"))
                .max_results(1, 10)
                .is_err()
        );
    }

    #[test]
    fn wrong_member_types_name_the_member() {
        let body = parse_body(br#"{"IdentityInfo": {"FirstName": 5}}"#).unwrap();
        let fields = Fields::of(&body).unwrap();
        let identity = fields.object("IdentityInfo").unwrap().unwrap();
        let err = identity.string("FirstName").unwrap_err();
        assert_eq!(err.kind, "InvalidParameterException");
        assert!(
            err.message.contains("IdentityInfo.FirstName"),
            "{}",
            err.message
        );
        assert!(parse_body(b"{not json").is_err());
        assert!(parse_body(b"[]").is_err());
    }
}
