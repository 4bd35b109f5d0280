//! Mapping rules (`MAPPING_FILE`): a SCIM attribute value of the user decides
//! its security profiles, routing profile, hierarchy group and proficiencies.
//!
//! ```json
//! {"rules": [{"when": {"attribute": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "equals": "Retail"},
//!             "securityProfiles": ["Agent"], "routingProfile": "Basic Routing Profile",
//!             "hierarchyGroup": "Stores/Retail",
//!             "proficiencies": [{"attribute": "Language", "value": "English", "level": 4}]}],
//!  "otherwise": "reject"}
//! ```
//!
//! `equals` compares case-insensitively against every value at the path (the
//! filter grammar's attribute paths); the rules that match union their
//! profiles and proficiencies; two matching rules naming different routing
//! profiles or hierarchy groups are a 400 naming both; `otherwise` is
//! `reject`, `keep` or a rule body without `when`.

use serde::Deserialize;
use serde_json::Value;

use crate::scim::error::ScimError;
use crate::scim::filter::Filter;
use crate::scim::schema::ResourceSchema;
use crate::scim::user::ProficiencyValue;
use crate::scim::user::proficiency;

/// What a rule (or the `otherwise` default) sets; `None` leaves a setting to
/// the other sources.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    pub security_profiles: Option<Vec<String>>,
    pub routing_profile: Option<String>,
    pub hierarchy_group: Option<String>,
    pub proficiencies: Option<Vec<ProficiencyValue>>,
}

#[derive(Debug, Clone)]
struct Rule {
    label: String,
    attribute: String,
    equals: String,
    filter: Filter,
    sets: Decision,
}

#[derive(Debug, Clone)]
enum Otherwise {
    Reject,
    Keep,
    Default(Decision),
}

/// The parsed, validated mapping file.
#[derive(Debug, Clone)]
pub struct Mapping {
    rules: Vec<Rule>,
    otherwise: Otherwise,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rules: Vec<Value>,
    #[serde(default)]
    otherwise: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawRule {
    #[serde(default)]
    when: Option<RawWhen>,
    #[serde(default)]
    security_profiles: Option<Vec<String>>,
    #[serde(default)]
    routing_profile: Option<String>,
    #[serde(default)]
    hierarchy_group: Option<String>,
    #[serde(default)]
    proficiencies: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    attribute: String,
    equals: String,
}

fn decision(raw: RawRule, label: &str) -> Result<Decision, String> {
    let proficiencies = match raw.proficiencies {
        None => None,
        Some(v) => Some(proficiency::read(&v).map_err(|e| format!("{label}: {}", e.detail))?),
    };
    let sets = Decision {
        security_profiles: raw.security_profiles,
        routing_profile: raw.routing_profile,
        hierarchy_group: raw.hierarchy_group,
        proficiencies,
    };
    if sets == Decision::default() {
        return Err(format!(
            "{label} sets nothing: give securityProfiles, routingProfile, hierarchyGroup or proficiencies"
        ));
    }
    if sets.security_profiles.as_ref().is_some_and(Vec::is_empty) {
        return Err(format!("{label}: securityProfiles is empty"));
    }
    Ok(sets)
}

impl Mapping {
    /// Parses and validates a mapping file; an error names the rule
    /// (`rule 2 (department equals "Retail")`) and what is wrong.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let raw: RawFile =
            serde_json::from_str(text).map_err(|e| format!("not a mapping file: {e}"))?;
        let mut rules = Vec::with_capacity(raw.rules.len());
        for (i, value) in raw.rules.into_iter().enumerate() {
            let mut label = format!("rule {}", i + 1);
            if let Some(when) = value.get("when") {
                label = format!("{label} (when {when})");
            }
            let rule: RawRule =
                serde_json::from_value(value).map_err(|e| format!("{label}: {e}"))?;
            let when = rule
                .when
                .as_ref()
                .ok_or_else(|| format!("{label}: has no when"))?;
            let (attribute, equals) = (when.attribute.clone(), when.equals.clone());
            let quoted = serde_json::to_string(&equals.to_lowercase()).unwrap_or_default();
            let filter = Filter::parse(&format!("{attribute} eq {quoted}")).map_err(|e| {
                format!(
                    "{label}: when.attribute '{attribute}' is not an attribute path: {}",
                    e.detail
                )
            })?;
            let sets = decision(rule, &label)?;
            rules.push(Rule {
                label,
                attribute,
                equals,
                filter,
                sets,
            });
        }
        let otherwise = match raw.otherwise {
            None => Otherwise::Keep,
            Some(Value::String(s)) if s == "reject" => Otherwise::Reject,
            Some(Value::String(s)) if s == "keep" => Otherwise::Keep,
            Some(v @ Value::Object(_)) => {
                let rule: RawRule =
                    serde_json::from_value(v).map_err(|e| format!("otherwise: {e}"))?;
                if rule.when.is_some() {
                    return Err("otherwise: a default rule has no when".to_owned());
                }
                Otherwise::Default(decision(rule, "otherwise")?)
            }
            Some(v) => {
                return Err(format!(
                    "otherwise must be \"reject\", \"keep\" or a rule without when, not {v}"
                ));
            }
        };
        Ok(Mapping { rules, otherwise })
    }

    /// Reads and parses the file at `path`.
    pub fn load(path: &std::path::Path) -> Result<Mapping, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot be read: {e}"))?;
        Mapping::parse(&text)
    }

    /// What the rules decide for a user (its SCIM JSON): the union of the
    /// matching rules, the default when none matches, `None` for `keep`.
    pub fn decide(&self, user: &Value) -> Result<Option<Decision>, ScimError> {
        let lowered = lowercase_strings(user);
        let schema = ResourceSchema::user();
        let matched: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| r.filter.matches(&lowered, &schema))
            .collect();
        if matched.is_empty() {
            return match &self.otherwise {
                Otherwise::Keep => Ok(None),
                Otherwise::Default(d) => Ok(Some(d.clone())),
                Otherwise::Reject => Err(ScimError::invalid_value(format!(
                    "no mapping rule (MAPPING_FILE) matches this user: {}; nothing was applied",
                    self.values_seen(user)
                ))),
            };
        }
        let mut out = Decision::default();
        let mut routing: Option<(&str, &str)> = None;
        let mut hierarchy: Option<(&str, &str)> = None;
        for rule in matched {
            if let Some(names) = &rule.sets.security_profiles {
                let all = out.security_profiles.get_or_insert_with(Vec::new);
                for n in names {
                    if !all.iter().any(|a| a.eq_ignore_ascii_case(n)) {
                        all.push(n.clone());
                    }
                }
            }
            if let Some(p) = &rule.sets.proficiencies {
                out.proficiencies
                    .get_or_insert_with(Vec::new)
                    .extend(p.iter().cloned());
            }
            one(
                &mut routing,
                &rule.sets.routing_profile,
                &rule.label,
                "routingProfile",
            )?;
            one(
                &mut hierarchy,
                &rule.sets.hierarchy_group,
                &rule.label,
                "hierarchyGroup",
            )?;
        }
        out.routing_profile = routing.map(|(v, _)| v.to_owned());
        out.hierarchy_group = hierarchy.map(|(v, _)| v.to_owned());
        Ok(Some(out))
    }

    /// The values the rules look at, for a `reject` message.
    fn values_seen(&self, user: &Value) -> String {
        let mut seen: Vec<String> = Vec::new();
        for rule in &self.rules {
            let line = format!("{} is {}", rule.attribute, value_at(user, &rule.attribute));
            if !seen.contains(&line) {
                seen.push(line);
            }
        }
        if seen.is_empty() {
            "there are no rules".to_owned()
        } else {
            seen.join(", ")
        }
    }

    /// Each rule (and the `otherwise` default) with what it sets, for `check`.
    pub fn decisions(&self) -> Vec<(&str, &Decision)> {
        let mut all: Vec<(&str, &Decision)> = self
            .rules
            .iter()
            .map(|r| (r.label.as_str(), &r.sets))
            .collect();
        if let Otherwise::Default(d) = &self.otherwise {
            all.push(("otherwise", d));
        }
        all
    }

    /// Each rule's `when`, for logs and `check`.
    pub fn describe(&self) -> String {
        let rules: Vec<String> = self
            .rules
            .iter()
            .map(|r| format!("{} equals \"{}\"", r.attribute, r.equals))
            .collect();
        format!("{} rules ({})", rules.len(), rules.join("; "))
    }
}

fn one<'a>(
    slot: &mut Option<(&'a str, &'a str)>,
    value: &'a Option<String>,
    label: &'a str,
    what: &str,
) -> Result<(), ScimError> {
    let Some(value) = value else { return Ok(()) };
    match slot {
        Some((held, by)) if !held.eq_ignore_ascii_case(value) => {
            Err(ScimError::invalid_value(format!(
                "mapping rules (MAPPING_FILE) conflict on {what}: {by} sets '{held}' and {label} sets '{value}'; nothing was applied"
            )))
        }
        Some(_) => Ok(()),
        None => {
            *slot = Some((value, label));
            Ok(())
        }
    }
}

/// Every string in the JSON lowercased (object keys kept), so `equals`
/// compares case-insensitively whatever the attribute's caseExact.
fn lowercase_strings(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(s.to_lowercase()),
        Value::Array(items) => Value::Array(items.iter().map(lowercase_strings).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if k == "schemas" {
                        v.clone()
                    } else {
                        lowercase_strings(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The value at a rule's path, for messages (best effort: URN-prefixed and
/// plain paths, the `value` of multi-valued attributes).
fn value_at(user: &Value, path: &str) -> String {
    let (container, name) = match path.rfind(':') {
        Some(i) => (user.get(&path[..i]), &path[i + 1..]),
        None => (Some(user), path),
    };
    let found = container.and_then(|c| {
        c.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    });
    match found {
        None | Some(Value::Null) => "absent".to_owned(),
        Some(Value::String(s)) => format!("'{s}'"),
        Some(Value::Array(items)) => {
            let values: Vec<String> = items
                .iter()
                .map(|i| i.get("value").unwrap_or(i).to_string())
                .collect();
            format!("[{}]", values.join(", "))
        }
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DEPT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department";

    fn file(rules: Value, otherwise: Value) -> String {
        json!({"rules": rules, "otherwise": otherwise}).to_string()
    }

    fn user(department: &str) -> Value {
        json!({"userName": "a", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": department},
               "title": "Lead"})
    }

    #[test]
    fn matching_rules_union_profiles_and_conflicts_name_both() {
        let m = Mapping::parse(&file(
            json!([
                {"when": {"attribute": DEPT, "equals": "retail"}, "securityProfiles": ["Agent"], "routingProfile": "Basic Routing Profile"},
                {"when": {"attribute": "title", "equals": "LEAD"}, "securityProfiles": ["CallCenterManager"]},
            ]),
            json!("reject"),
        ))
        .unwrap();
        let d = m.decide(&user("Retail")).unwrap().unwrap();
        assert_eq!(
            d.security_profiles.unwrap(),
            vec!["Agent", "CallCenterManager"]
        );
        assert_eq!(d.routing_profile.as_deref(), Some("Basic Routing Profile"));

        let e = m.decide(&user("Wholesale")).unwrap();
        assert_eq!(
            e.unwrap().security_profiles.unwrap(),
            vec!["CallCenterManager"]
        );
        let e = m
            .decide(&json!({"userName": "b", "title": "Clerk"}))
            .unwrap_err();
        assert!(e.detail.contains("title is 'Clerk'"), "{}", e.detail);

        let c = Mapping::parse(&file(
            json!([
                {"when": {"attribute": DEPT, "equals": "Retail"}, "routingProfile": "A"},
                {"when": {"attribute": "title", "equals": "lead"}, "routingProfile": "B"},
            ]),
            json!("keep"),
        ))
        .unwrap();
        let e = c.decide(&user("retail")).unwrap_err();
        assert!(
            e.detail.contains("rule 1") && e.detail.contains("rule 2"),
            "{}",
            e.detail
        );
    }

    #[test]
    fn a_bad_rule_is_named() {
        let e = Mapping::parse(&file(
            json!([{"when": {"attribute": DEPT, "equals": "x"}, "securityProfiles": ["A"]},
                   {"when": {"attribute": "title", "equals": "y"}, "routingprofile": "R"}]),
            json!("keep"),
        ))
        .unwrap_err();
        assert!(e.starts_with("rule 2"), "{e}");
        let e = Mapping::parse(&file(
            json!([{"when": {"attribute": "title[", "equals": "y"}, "routingProfile": "R"}]),
            json!("keep"),
        ))
        .unwrap_err();
        assert!(
            e.contains("rule 1") && e.contains("not an attribute path"),
            "{e}"
        );
        let e = Mapping::parse(&file(json!([]), json!("maybe"))).unwrap_err();
        assert!(e.starts_with("otherwise"), "{e}");
    }
}
