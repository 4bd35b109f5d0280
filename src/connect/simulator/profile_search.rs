//! SearchSecurityProfiles (`POST /search-security-profiles`): `SearchCriteria`
//! (string conditions on the profile's `name` under nested And/Or, compared
//! case-insensitively) and `SearchFilter.TagFilter` (tag conditions, exact),
//! in creation order with `NextToken` and `ApproximateTotalCount`, at most 100
//! a page (`MaxResult100`). The summaries carry the tags and no timestamps.

use serde_json::{Value, json};

use super::dispatch::Call;
use super::search::{
    Comparison, Criteria, SearchPaging, compare, parse_comparison, parse_tag_filter,
};
use super::state::{Instance, SecurityProfileRecord};
use super::wire::{ApiError, ApiResult, Fields};

/// A parsed `SecurityProfileSearchCriteria`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ProfileCriteria {
    Name {
        comparison: Comparison,
        value: String,
    },
    And(Vec<ProfileCriteria>),
    Or(Vec<ProfileCriteria>),
}

impl ProfileCriteria {
    fn matches(&self, profile: &SecurityProfileRecord) -> bool {
        match self {
            ProfileCriteria::Name { comparison, value } => {
                compare(&profile.name, *comparison, value)
            }
            ProfileCriteria::And(all) => all.iter().all(|c| c.matches(profile)),
            ProfileCriteria::Or(any) => any.iter().any(|c| c.matches(profile)),
        }
    }
}

/// `SecurityProfileSearchCriteria`: what is present is ANDed together;
/// `name` is the only `FieldName` Connect searches profiles by.
fn parse_criteria(fields: &Fields, depth: usize) -> Result<ProfileCriteria, ApiError> {
    if depth > 10 {
        return Err(ApiError::invalid_parameter(
            "SearchCriteria is nested too deeply",
        ));
    }
    let mut all = Vec::new();
    if let Some(condition) = fields.object("StringCondition")? {
        let field = condition.required_string("FieldName")?;
        if !field.eq_ignore_ascii_case("name") {
            return Err(ApiError::invalid_parameter(format!(
                "StringCondition.FieldName {field:?} is not searchable; security profiles are searched by name"
            )));
        }
        all.push(ProfileCriteria::Name {
            comparison: parse_comparison(&condition)?,
            value: condition.required_string("Value")?,
        });
    }
    if let Some(list) = fields.objects("AndConditions")? {
        let parsed = list.iter().map(|c| parse_criteria(c, depth + 1));
        all.push(ProfileCriteria::And(parsed.collect::<Result<_, _>>()?));
    }
    if let Some(list) = fields.objects("OrConditions")? {
        let parsed = list.iter().map(|c| parse_criteria(c, depth + 1));
        all.push(ProfileCriteria::Or(parsed.collect::<Result<_, _>>()?));
    }
    Ok(ProfileCriteria::And(all))
}

/// `SecurityProfileSearchSummary`.
fn summary_json(instance: &Instance, profile: &SecurityProfileRecord) -> Value {
    json!({
        "Id": profile.id,
        "OrganizationResourceId": instance.id,
        "Arn": instance.resource_arn("security-profile", &profile.id),
        "SecurityProfileName": profile.name,
        "Description": profile.description,
        "Tags": profile.tags,
    })
}

/// SearchSecurityProfiles (`POST /search-security-profiles`, `InstanceId` in the body).
pub fn search(instance: &Instance, call: &Call) -> ApiResult {
    let body = call.fields()?;
    let paging = SearchPaging::read(instance, &body, 100)?;
    let criteria = match body.object("SearchCriteria")? {
        Some(fields) => parse_criteria(&fields, 0)?,
        None => ProfileCriteria::And(Vec::new()),
    };
    let tags: Option<Criteria> = match body.object("SearchFilter")? {
        Some(filter) => match filter.object("TagFilter")? {
            Some(fields) => Some(parse_tag_filter(&fields)?),
            None => None,
        },
        None => None,
    };
    let matches: Vec<(u64, Value)> = instance
        .security_profiles
        .iter()
        .filter(|p| criteria.matches(p) && tags.as_ref().is_none_or(|t| t.matches_tags(&p.tags)))
        .map(|p| (p.seq, summary_json(instance, p)))
        .collect();
    paging.answer(matches, "SearchSecurityProfiles", "SecurityProfiles")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matching(instance: &Instance, body: Value) -> Vec<String> {
        let call = Call::new(
            Vec::new(),
            super::super::wire::Query::default(),
            body.to_string().as_bytes(),
            std::time::Instant::now(),
            std::time::Duration::ZERO,
        )
        .unwrap();
        let answer = search(instance, &call).unwrap();
        answer["SecurityProfiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["SecurityProfileName"].as_str().unwrap().to_owned())
            .collect()
    }

    fn instance() -> Instance {
        let mut instance = Instance::seeded("i");
        for (name, tags) in [
            (
                "Sales",
                &[("scim:group", "linked"), ("scim:externalId", "e1")][..],
            ),
            ("Made By SCIM", &[("scim:createdBy", "scim")][..]),
            ("Other Tool", &[("team", "blue")][..]),
        ] {
            let id = instance.add_security_profile(name);
            let tags = tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert!(super::super::tags::tag_security_profile(
                &mut instance,
                &id,
                &tags
            ));
        }
        instance
    }

    #[test]
    fn a_tag_filter_of_or_conditions_selects_the_tagged_profiles_with_their_tags() {
        let i = instance();
        let body = json!({"InstanceId": "i", "SearchFilter": {"TagFilter": {"OrConditions": [
            [{"TagKey": "scim:group", "TagValue": "linked"}],
            [{"TagKey": "scim:createdBy", "TagValue": "scim"}]
        ]}}});
        assert_eq!(matching(&i, body), ["Sales", "Made By SCIM"]);
        let one = json!({"InstanceId": "i",
            "SearchFilter": {"TagFilter": {"TagCondition": {"TagKey": "scim:externalId", "TagValue": "E1"}}}});
        assert!(matching(&i, one).is_empty(), "tag values compare exactly");
    }

    #[test]
    fn criteria_search_names_case_insensitively_and_refuse_other_fields() {
        let i = instance();
        let body = json!({"InstanceId": "i", "SearchCriteria": {"OrConditions": [
            {"StringCondition": {"FieldName": "name", "ComparisonType": "STARTS_WITH", "Value": "sal"}},
            {"StringCondition": {"FieldName": "name", "ComparisonType": "EXACT", "Value": "AGENT"}}
        ]}});
        assert_eq!(matching(&i, body), ["Agent", "Sales"]);
        let everything = matching(&i, json!({"InstanceId": "i"}));
        assert_eq!(everything.len(), i.security_profiles.len());
        let bad = json!({"InstanceId": "i", "SearchCriteria": {"StringCondition":
            {"FieldName": "description", "ComparisonType": "EXACT", "Value": "x"}}});
        let call = Call::new(
            Vec::new(),
            super::super::wire::Query::default(),
            bad.to_string().as_bytes(),
            std::time::Instant::now(),
            std::time::Duration::ZERO,
        )
        .unwrap();
        assert!(search(&i, &call).is_err());
        let too_many = json!({"InstanceId": "i", "MaxResults": 101});
        let call = Call::new(
            Vec::new(),
            super::super::wire::Query::default(),
            too_many.to_string().as_bytes(),
            std::time::Instant::now(),
            std::time::Duration::ZERO,
        )
        .unwrap();
        assert!(search(&i, &call).is_err());
    }
}
