//! Weak entity tags and the `If-Match` / `If-None-Match` checks (RFC 7644
//! §3.14, RFC 7232 §2.3, §3.1, §3.2). A mismatched `If-Match` answers 412
//! (`ScimError::precondition_failed`); a matching `If-None-Match` on GET
//! answers 304 (`ScimError::not_modified`).

use sha2::{Digest, Sha256};

/// A weak ETag over a resource's state: `W/"<first 16 hex digits of SHA-256>"` (RFC 7644 §3.14).
pub fn weak_etag(state: &[u8]) -> String {
    let digest = Sha256::digest(state);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

/// The entity tags of a header value: `*` or a comma-separated list, commas
/// inside quotes respected.
fn tags(header: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in header.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(header[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(header[start..].trim());
    out.retain(|t| !t.is_empty());
    out
}

/// The opaque part of a tag, for weak comparison (RFC 7232 §2.3.2): `W/` ignored.
fn opaque(tag: &str) -> &str {
    let tag = tag.trim();
    tag.strip_prefix("W/")
        .or_else(|| tag.strip_prefix("w/"))
        .unwrap_or(tag)
}

fn any_matches(header: &str, current: &str) -> bool {
    tags(header)
        .into_iter()
        .any(|t| t == "*" || opaque(t) == opaque(current))
}

/// Whether `If-Match` lets the request proceed (RFC 7232 §3.1, weak comparison as
/// SCIM's ETags are weak); `false` → 412 `ScimError::precondition_failed`.
pub fn if_match_satisfied(header: &str, current: &str) -> bool {
    any_matches(header, current)
}

/// Whether `If-None-Match` lets the request proceed (RFC 7232 §3.2): `false`
/// when a tag (or `*`) matches → 304 `ScimError::not_modified` on GET.
pub fn if_none_match_satisfied(header: &str, current: &str) -> bool {
    !any_matches(header, current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_etag_is_stable_and_short() {
        let a = weak_etag(b"state");
        assert_eq!(a, weak_etag(b"state"));
        assert_ne!(a, weak_etag(b"other"));
        assert!(a.starts_with("W/\"") && a.ends_with('"') && a.len() == 2 + 16 + 2);
    }

    #[test]
    fn if_match_handles_star_lists_and_weak_comparison() {
        let current = weak_etag(b"x");
        let bare = current.trim_start_matches("W/");
        assert!(if_match_satisfied("*", &current));
        assert!(if_match_satisfied(&current, &current));
        assert!(if_match_satisfied(bare, &current));
        assert!(if_match_satisfied(
            &format!("W/\"nope\", {current}"),
            &current
        ));
        assert!(!if_match_satisfied("W/\"nope\"", &current));
        assert!(!if_match_satisfied("", &current));
    }

    #[test]
    fn if_none_match_fails_on_a_match() {
        let current = weak_etag(b"x");
        assert!(!if_none_match_satisfied(&current, &current));
        assert!(!if_none_match_satisfied("*", &current));
        assert!(if_none_match_satisfied("W/\"a,b\", W/\"c\"", &current));
    }
}
