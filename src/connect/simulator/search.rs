//! SearchUsers (`POST /search-users`): `SearchCriteria` (string and hierarchy
//! conditions under nested And/Or), `SearchFilter` (tag and user-attribute
//! filters), compared case-insensitively as Connect's search does, in
//! creation order with `NextToken` and `ApproximateTotalCount`.

use serde_json::{Value, json};

use super::dispatch::Call;
use super::state::{Instance, UserRecord};
use super::users::phone_json;
use super::wire::{ApiError, ApiResult, Fields, check_max_results, paginate};

/// A `StringCondition` field users can be searched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Username,
    FirstName,
    LastName,
    SecurityProfileId,
    RoutingProfileId,
    ResourceId,
}

/// `StringComparisonType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Comparison {
    Exact,
    Contains,
    StartsWith,
}

/// A parsed `UserSearchCriteria` / filter tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Criteria {
    String {
        field: Field,
        comparison: Comparison,
        value: String,
    },
    /// `HierarchyGroupCondition`: the user's group is `group`, or (with
    /// child groups) below it.
    Hierarchy {
        group: String,
        with_children: bool,
    },
    /// A `TagCondition`: key and value match exactly.
    Tag {
        key: String,
        value: String,
    },
    And(Vec<Criteria>),
    Or(Vec<Criteria>),
}

fn parse_string_condition(fields: &Fields) -> Result<Criteria, ApiError> {
    let name = fields.required_string("FieldName")?;
    let field = match name.to_ascii_lowercase().as_str() {
        "username" => Field::Username,
        "firstname" => Field::FirstName,
        "lastname" => Field::LastName,
        "securityprofileid" => Field::SecurityProfileId,
        "routingprofileid" => Field::RoutingProfileId,
        "resourceid" => Field::ResourceId,
        _ => {
            return Err(ApiError::invalid_parameter(format!(
                "StringCondition.FieldName {name:?} is not searchable; use Username, FirstName, \
                 LastName, SecurityProfileId, RoutingProfileId or ResourceId"
            )));
        }
    };
    let comparison = parse_comparison(fields)?;
    let value = fields.required_string("Value")?;
    Ok(Criteria::String {
        field,
        comparison,
        value,
    })
}

/// A `StringCondition`'s `ComparisonType`.
pub(super) fn parse_comparison(fields: &Fields) -> Result<Comparison, ApiError> {
    match fields.required_string("ComparisonType")?.as_str() {
        "EXACT" => Ok(Comparison::Exact),
        "CONTAINS" => Ok(Comparison::Contains),
        "STARTS_WITH" => Ok(Comparison::StartsWith),
        other => Err(ApiError::invalid_parameter(format!(
            "StringCondition.ComparisonType must be EXACT, CONTAINS or STARTS_WITH, got {other:?}"
        ))),
    }
}

fn parse_hierarchy_condition(fields: &Fields) -> Result<Criteria, ApiError> {
    let group = fields.required_string("Value")?;
    let with_children = match fields.string("HierarchyGroupMatchType")?.as_deref() {
        None | Some("EXACT") => false,
        Some("WITH_CHILD_GROUPS") => true,
        Some(other) => {
            return Err(ApiError::invalid_parameter(format!(
                "HierarchyGroupMatchType must be EXACT or WITH_CHILD_GROUPS, got {other:?}"
            )));
        }
    };
    Ok(Criteria::Hierarchy {
        group,
        with_children,
    })
}

fn parse_tag_condition(fields: &Fields) -> Result<Criteria, ApiError> {
    Ok(Criteria::Tag {
        key: fields.required_string("TagKey")?,
        value: fields.string("TagValue")?.unwrap_or_default(),
    })
}

fn parse_tag_list(list: Vec<Fields>) -> Result<Criteria, ApiError> {
    list.iter()
        .map(parse_tag_condition)
        .collect::<Result<_, _>>()
        .map(Criteria::And)
}

/// `UserSearchCriteria`: exactly what is present is ANDed together.
fn parse_criteria(fields: &Fields, depth: usize) -> Result<Criteria, ApiError> {
    if depth > 10 {
        return Err(ApiError::invalid_parameter(
            "SearchCriteria is nested too deeply",
        ));
    }
    let mut all = Vec::new();
    if let Some(condition) = fields.object("StringCondition")? {
        all.push(parse_string_condition(&condition)?);
    }
    if let Some(condition) = fields.object("HierarchyGroupCondition")? {
        all.push(parse_hierarchy_condition(&condition)?);
    }
    if fields.has("ListCondition") {
        return Err(ApiError::invalid_parameter(
            "ListCondition (proficiencies) is not supported by this simulator",
        ));
    }
    if let Some(list) = fields.objects("AndConditions")? {
        let parsed = list.iter().map(|c| parse_criteria(c, depth + 1));
        all.push(Criteria::And(parsed.collect::<Result<_, _>>()?));
    }
    if let Some(list) = fields.objects("OrConditions")? {
        let parsed = list.iter().map(|c| parse_criteria(c, depth + 1));
        all.push(Criteria::Or(parsed.collect::<Result<_, _>>()?));
    }
    Ok(Criteria::And(all))
}

/// `ControlPlaneTagFilter`: `TagCondition`, `AndConditions`, or
/// `OrConditions` (a list of AND lists).
pub(super) fn parse_tag_filter(fields: &Fields) -> Result<Criteria, ApiError> {
    let mut all = Vec::new();
    if let Some(condition) = fields.object("TagCondition")? {
        all.push(parse_tag_condition(&condition)?);
    }
    if let Some(list) = fields.objects("AndConditions")? {
        all.push(parse_tag_list(list)?);
    }
    if let Some(value) = fields.objects_of_lists("OrConditions")? {
        let ors = value.into_iter().map(parse_tag_list);
        all.push(Criteria::Or(ors.collect::<Result<_, _>>()?));
    }
    Ok(Criteria::And(all))
}

/// `AttributeAndCondition`: tag conditions and a hierarchy condition, ANDed.
fn parse_attribute_and(fields: &Fields) -> Result<Criteria, ApiError> {
    let mut all = Vec::new();
    if let Some(list) = fields.objects("TagConditions")? {
        all.push(parse_tag_list(list)?);
    }
    if let Some(condition) = fields.object("HierarchyGroupCondition")? {
        all.push(parse_hierarchy_condition(&condition)?);
    }
    Ok(Criteria::And(all))
}

/// `ControlPlaneUserAttributeFilter`.
fn parse_attribute_filter(fields: &Fields) -> Result<Criteria, ApiError> {
    let mut all = Vec::new();
    if let Some(condition) = fields.object("TagCondition")? {
        all.push(parse_tag_condition(&condition)?);
    }
    if let Some(condition) = fields.object("HierarchyGroupCondition")? {
        all.push(parse_hierarchy_condition(&condition)?);
    }
    if let Some(condition) = fields.object("AndCondition")? {
        all.push(parse_attribute_and(&condition)?);
    }
    if let Some(list) = fields.objects("OrConditions")? {
        let ors = list.iter().map(parse_attribute_and);
        all.push(Criteria::Or(ors.collect::<Result<_, _>>()?));
    }
    Ok(Criteria::And(all))
}

/// Case-insensitive comparison; ASCII (the common case) without allocating.
pub(super) fn compare(candidate: &str, comparison: Comparison, value: &str) -> bool {
    if candidate.is_ascii() && value.is_ascii() {
        let (c, v) = (candidate.as_bytes(), value.as_bytes());
        return match comparison {
            Comparison::Exact => c.eq_ignore_ascii_case(v),
            Comparison::StartsWith => c.len() >= v.len() && c[..v.len()].eq_ignore_ascii_case(v),
            Comparison::Contains => {
                v.is_empty() || c.windows(v.len()).any(|w| w.eq_ignore_ascii_case(v))
            }
        };
    }
    let candidate = candidate.to_lowercase();
    let value = value.to_lowercase();
    match comparison {
        Comparison::Exact => candidate == value,
        Comparison::Contains => candidate.contains(&value),
        Comparison::StartsWith => candidate.starts_with(&value),
    }
}

impl Criteria {
    /// Whether a resource with these tags passes a parsed `ControlPlaneTagFilter`
    /// (only tag conditions, under And/Or, are tested).
    pub(super) fn matches_tags(&self, tags: &super::state::Tags) -> bool {
        match self {
            Criteria::Tag { key, value } => tags.get(key) == Some(value),
            Criteria::And(all) => all.iter().all(|c| c.matches_tags(tags)),
            Criteria::Or(any) => any.iter().any(|c| c.matches_tags(tags)),
            Criteria::String { .. } | Criteria::Hierarchy { .. } => false,
        }
    }

    fn matches(&self, instance: &Instance, user: &UserRecord) -> bool {
        match self {
            Criteria::String {
                field,
                comparison,
                value,
            } => {
                let test = |candidate: &str| compare(candidate, *comparison, value);
                match field {
                    Field::Username => test(&user.username),
                    Field::FirstName => user.identity.first_name.as_deref().is_some_and(test),
                    Field::LastName => user.identity.last_name.as_deref().is_some_and(test),
                    Field::SecurityProfileId => user.security_profile_ids.iter().any(|id| test(id)),
                    Field::RoutingProfileId => test(&user.routing_profile_id),
                    Field::ResourceId => test(&user.id),
                }
            }
            Criteria::Hierarchy {
                group,
                with_children,
            } => match &user.hierarchy_group_id {
                None => false,
                Some(own) if !with_children => own == group,
                Some(own) => instance.hierarchy_path(own).iter().any(|g| &g.id == group),
            },
            Criteria::Tag { key, value } => user.tags.get(key) == Some(value),
            Criteria::And(all) => all.iter().all(|c| c.matches(instance, user)),
            Criteria::Or(any) => any.iter().any(|c| c.matches(instance, user)),
        }
    }
}

/// `UserSearchSummary`: no email or mobile, no timestamps.
fn summary_json(instance: &Instance, user: &UserRecord) -> Value {
    json!({
        "Id": user.id,
        "Arn": instance.resource_arn("agent", &user.id),
        "Username": user.username,
        "IdentityInfo": {
            "FirstName": user.identity.first_name,
            "LastName": user.identity.last_name,
        },
        "PhoneConfig": phone_json(&user.phone),
        "SecurityProfileIds": user.security_profile_ids,
        "RoutingProfileId": user.routing_profile_id,
        "HierarchyGroupId": user.hierarchy_group_id,
        "Tags": user.tags,
    })
}

/// The paging of a Search* request, whose body names the instance.
pub struct SearchPaging {
    max: usize,
    next_token: Option<String>,
}

impl SearchPaging {
    /// Checks `InstanceId` and reads `MaxResults` (1 to `cap`, default 100)
    /// and `NextToken`.
    pub fn read(instance: &Instance, body: &Fields, cap: usize) -> Result<SearchPaging, ApiError> {
        instance.check_id(&body.required_string("InstanceId")?)?;
        let max = match body.integer("MaxResults")? {
            Some(n) => check_max_results(n, cap)?,
            None => 100,
        };
        Ok(SearchPaging {
            max,
            next_token: body.string("NextToken")?,
        })
    }

    /// The answer: this page of `matches` (in sequence order) under `key`,
    /// with `NextToken` and `ApproximateTotalCount`.
    pub fn answer(self, matches: Vec<(u64, Value)>, operation: &str, key: &str) -> ApiResult {
        let total = matches.len();
        let (page, next) = paginate(matches, operation, self.next_token.as_deref(), self.max)?;
        Ok(json!({ key: page, "NextToken": next, "ApproximateTotalCount": total }))
    }
}

/// SearchUsers (`POST /search-users`, `InstanceId` in the body).
pub fn search(instance: &Instance, call: &Call) -> ApiResult {
    let body = call.fields()?;
    let paging = SearchPaging::read(instance, &body, 500)?;
    let mut criteria = Vec::new();
    if let Some(fields) = body.object("SearchCriteria")? {
        criteria.push(parse_criteria(&fields, 0)?);
    }
    if let Some(filter) = body.object("SearchFilter")? {
        if let Some(fields) = filter.object("TagFilter")? {
            criteria.push(parse_tag_filter(&fields)?);
        }
        if let Some(fields) = filter.object("UserAttributeFilter")? {
            criteria.push(parse_attribute_filter(&fields)?);
        }
    }
    let criteria = Criteria::And(criteria);
    let matches: Vec<(u64, Value)> = instance
        .users
        .iter()
        .filter(|u| u.visible(call.now) && criteria.matches(instance, u))
        .map(|u| (u.seq, summary_json(instance, u)))
        .collect();
    paging.answer(matches, "SearchUsers", "Users")
}

#[cfg(test)]
mod tests {
    use super::super::state::{EpochMillis, Identity, Phone, Tags};
    use super::*;

    fn user(instance: &mut Instance, username: &str, first: &str, tags: &[(&str, &str)]) {
        let seq = instance.take_seq();
        let profile = instance.security_profiles[1].id.clone();
        let routing = instance.routing_profiles[0].id.clone();
        let group = instance
            .hierarchy_group_by_path("Seattle/Tier1")
            .map(|g| g.id.clone());
        instance.users.push(UserRecord {
            seq,
            id: format!("id-{username}"),
            username: username.to_owned(),
            identity: Identity {
                first_name: Some(first.to_owned()),
                ..Identity::default()
            },
            phone: Phone::default(),
            security_profile_ids: vec![profile],
            routing_profile_id: routing,
            hierarchy_group_id: if first == "Ana" { group } else { None },
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Tags>(),
            last_modified: EpochMillis(0),
            agent_status_id: None,
            proficiencies: Vec::new(),
            password_set: false,
            visible_from: None,
        });
    }

    fn matching(instance: &Instance, criteria: &str, filter: &str) -> Vec<String> {
        let body: Value = serde_json::from_str(&format!(
            r#"{{"InstanceId": "i", "SearchCriteria": {criteria}, "SearchFilter": {filter}}}"#
        ))
        .unwrap();
        let fields = Fields::of(&body).unwrap();
        let mut all =
            vec![parse_criteria(&fields.object("SearchCriteria").unwrap().unwrap(), 0).unwrap()];
        let filter = fields.object("SearchFilter").unwrap().unwrap();
        if let Some(tag) = filter.object("TagFilter").unwrap() {
            all.push(parse_tag_filter(&tag).unwrap());
        }
        if let Some(attr) = filter.object("UserAttributeFilter").unwrap() {
            all.push(parse_attribute_filter(&attr).unwrap());
        }
        let criteria = Criteria::And(all);
        instance
            .users
            .iter()
            .filter(|u| criteria.matches(instance, u))
            .map(|u| u.username.clone())
            .collect()
    }

    fn instance() -> Instance {
        let mut instance = Instance::seeded("i");
        user(
            &mut instance,
            "ana@example.com",
            "Ana",
            &[("scim:externalId", "00u1")],
        );
        user(
            &mut instance,
            "bob",
            "Bob",
            &[("scim:externalId", "00u2"), ("team", "a")],
        );
        user(&mut instance, "Bobby", "Robert", &[("team", "a")]);
        instance
    }

    #[test]
    fn string_conditions_ignore_case() {
        let i = instance();
        let exact = r#"{"StringCondition": {"FieldName": "Username", "ComparisonType": "EXACT", "Value": "BOB"}}"#;
        assert_eq!(matching(&i, exact, "{}"), ["bob"]);
        let starts = r#"{"StringCondition": {"FieldName": "Username", "ComparisonType": "STARTS_WITH", "Value": "bo"}}"#;
        assert_eq!(matching(&i, starts, "{}"), ["bob", "Bobby"]);
        let contains = r#"{"StringCondition": {"FieldName": "FirstName", "ComparisonType": "CONTAINS", "Value": "OB"}}"#;
        assert_eq!(matching(&i, contains, "{}"), ["bob", "Bobby"]);
    }

    #[test]
    fn non_ascii_values_compare_case_insensitively_too() {
        assert!(compare("Ǆemal", Comparison::StartsWith, "ǆe"));
        assert!(compare("JOSÉ", Comparison::Exact, "josé"));
        assert!(compare("abc", Comparison::Contains, ""));
        assert!(!compare("ab", Comparison::StartsWith, "abc"));
    }

    #[test]
    fn and_or_conditions_nest() {
        let i = instance();
        let criteria = r#"{"OrConditions": [
            {"StringCondition": {"FieldName": "Username", "ComparisonType": "EXACT", "Value": "ana@example.com"}},
            {"AndConditions": [
                {"StringCondition": {"FieldName": "Username", "ComparisonType": "STARTS_WITH", "Value": "bob"}},
                {"StringCondition": {"FieldName": "FirstName", "ComparisonType": "EXACT", "Value": "robert"}}
            ]}
        ]}"#;
        assert_eq!(matching(&i, criteria, "{}"), ["ana@example.com", "Bobby"]);
    }

    #[test]
    fn tag_filters_match_key_and_value_exactly() {
        let i = instance();
        let one =
            r#"{"TagFilter": {"TagCondition": {"TagKey": "scim:externalId", "TagValue": "00u2"}}}"#;
        assert_eq!(matching(&i, "{}", one), ["bob"]);
        let ors = r#"{"TagFilter": {"OrConditions": [
            [{"TagKey": "scim:externalId", "TagValue": "00u1"}],
            [{"TagKey": "team", "TagValue": "a"}, {"TagKey": "scim:externalId", "TagValue": "00u2"}]
        ]}}"#;
        assert_eq!(matching(&i, "{}", ors), ["ana@example.com", "bob"]);
        let case = r#"{"TagFilter": {"TagCondition": {"TagKey": "team", "TagValue": "A"}}}"#;
        assert!(matching(&i, "{}", case).is_empty());
    }

    #[test]
    fn hierarchy_conditions_can_include_child_groups() {
        let i = instance();
        let seattle = i.hierarchy_group_by_path("Seattle").unwrap().id.clone();
        let exact = format!(
            r#"{{"HierarchyGroupCondition": {{"Value": "{seattle}", "HierarchyGroupMatchType": "EXACT"}}}}"#
        );
        assert!(matching(&i, &exact, "{}").is_empty());
        let below = format!(
            r#"{{"UserAttributeFilter": {{"HierarchyGroupCondition": {{"Value": "{seattle}", "HierarchyGroupMatchType": "WITH_CHILD_GROUPS"}}}}}}"#
        );
        assert_eq!(matching(&i, "{}", &below), ["ana@example.com"]);
    }

    #[test]
    fn unknown_fields_and_comparisons_are_rejected() {
        for text in [
            r#"{"StringCondition": {"FieldName": "Email", "ComparisonType": "EXACT", "Value": "x"}}"#,
            r#"{"StringCondition": {"FieldName": "Username", "ComparisonType": "LIKE", "Value": "x"}}"#,
            r#"{"StringCondition": {"FieldName": "Username", "Value": "x"}}"#,
        ] {
            let body: Value = serde_json::from_str(text).unwrap();
            assert!(
                parse_criteria(&Fields::of(&body).unwrap(), 0).is_err(),
                "{text}"
            );
        }
    }
}
