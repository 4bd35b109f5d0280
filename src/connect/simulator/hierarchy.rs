//! The agent hierarchy: ListUserHierarchyGroups, DescribeUserHierarchyGroup,
//! and SearchUserHierarchyGroups (`POST /search-user-hierarchy-groups`): every
//! group with its `HierarchyPath`, filtered by `SearchCriteria` string
//! conditions (`name`, `parentId`, `levelId`, `resourceId`) under nested
//! And/Or, 1–100 a page with `NextToken` and `ApproximateTotalCount`. Tag
//! filters (`SearchFilter`) are refused: the simulator keeps no group tags.

use serde_json::{Map, Value, json};

use super::dispatch::Call;
use super::profiles::summary;
use super::search::{Comparison, SearchPaging, compare, parse_comparison};
use super::state::{HierarchyGroupRecord, Instance, REGION};
use super::wire::{ApiError, ApiResult, Fields, paginate};

/// `HierarchyPath`'s members, level one first.
const LEVELS: [&str; 5] = [
    "LevelOne",
    "LevelTwo",
    "LevelThree",
    "LevelFour",
    "LevelFive",
];

/// ListUserHierarchyGroups (`GET /user-hierarchy-groups-summary/{InstanceId}`).
pub fn list(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let max = call.query.max_results(100, 1000)?;
    let items = instance
        .hierarchy_groups
        .iter()
        .map(|g| (g.seq, group_summary(instance, g)))
        .collect();
    let (page, next) = paginate(
        items,
        "ListUserHierarchyGroups",
        call.query.get("nextToken"),
        max,
    )?;
    Ok(json!({ "UserHierarchyGroupSummaryList": page, "NextToken": next }))
}

fn group_summary(instance: &Instance, group: &HierarchyGroupRecord) -> Value {
    summary(
        instance,
        "agent-group",
        &group.id,
        &group.name,
        group.last_modified.seconds(),
    )
}

/// A `HierarchyGroup`: the group with its `HierarchyPath` (`LevelOne` … down
/// to itself), as DescribeUserHierarchyGroup and SearchUserHierarchyGroups
/// give it.
fn group_json(instance: &Instance, group: &HierarchyGroupRecord) -> Value {
    let mut path = Map::new();
    for (level, member) in instance.hierarchy_path(&group.id).iter().zip(LEVELS) {
        path.insert(member.to_owned(), group_summary(instance, level));
    }
    json!({
        "Id": group.id,
        "Arn": instance.resource_arn("agent-group", &group.id),
        "Name": group.name,
        "LevelId": group.level.to_string(),
        "HierarchyPath": path,
        "Tags": {},
        "LastModifiedTime": group.last_modified.seconds(),
        "LastModifiedRegion": REGION,
    })
}

/// DescribeUserHierarchyGroup (`GET /user-hierarchy-groups/{InstanceId}/{HierarchyGroupId}`).
pub fn describe(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let group = instance.hierarchy_group(call.param(1))?;
    Ok(json!({ "HierarchyGroup": group_json(instance, group) }))
}

/// A `StringCondition` field hierarchy groups can be searched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    ParentId,
    LevelId,
    ResourceId,
}

/// A parsed `UserHierarchyGroupSearchCriteria`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Criteria {
    String {
        field: Field,
        comparison: Comparison,
        value: String,
    },
    And(Vec<Criteria>),
    Or(Vec<Criteria>),
}

fn parse_string_condition(fields: &Fields) -> Result<Criteria, ApiError> {
    let name = fields.required_string("FieldName")?;
    // Connect's reference spells them `name`, `parentId`, `levelId` and `resourceID`.
    let field = match name.to_ascii_lowercase().as_str() {
        "name" => Field::Name,
        "parentid" => Field::ParentId,
        "levelid" => Field::LevelId,
        "resourceid" => Field::ResourceId,
        _ => {
            return Err(ApiError::invalid_parameter(format!(
                "StringCondition.FieldName {name:?} is not searchable; use name, parentId, \
                 levelId or resourceId"
            )));
        }
    };
    Ok(Criteria::String {
        field,
        comparison: parse_comparison(fields)?,
        value: fields.required_string("Value")?,
    })
}

/// What is present is ANDed together.
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

impl Criteria {
    fn matches(&self, group: &HierarchyGroupRecord) -> bool {
        match self {
            Criteria::String {
                field,
                comparison,
                value,
            } => {
                let test = |candidate: &str| compare(candidate, *comparison, value);
                match field {
                    Field::Name => test(&group.name),
                    Field::ParentId => group.parent_id.as_deref().is_some_and(test),
                    Field::LevelId => test(&group.level.to_string()),
                    Field::ResourceId => test(&group.id),
                }
            }
            Criteria::And(all) => all.iter().all(|c| c.matches(group)),
            Criteria::Or(any) => any.iter().any(|c| c.matches(group)),
        }
    }
}

/// SearchUserHierarchyGroups (`POST /search-user-hierarchy-groups`, `InstanceId`
/// in the body), in creation order.
pub fn search(instance: &Instance, call: &Call) -> ApiResult {
    let body = call.fields()?;
    let paging = SearchPaging::read(instance, &body, 100)?;
    let criteria = match body.object("SearchCriteria")? {
        Some(fields) => parse_criteria(&fields, 0)?,
        None => Criteria::And(Vec::new()),
    };
    if body.has("SearchFilter") {
        return Err(ApiError::invalid_parameter(
            "SearchFilter (tag conditions) is not supported by this simulator: its hierarchy \
             groups carry no tags",
        ));
    }
    let matches: Vec<(u64, Value)> = instance
        .hierarchy_groups
        .iter()
        .filter(|g| criteria.matches(g))
        .map(|g| (g.seq, group_json(instance, g)))
        .collect();
    paging.answer(matches, "SearchUserHierarchyGroups", "UserHierarchyGroups")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matching(instance: &Instance, criteria: &str) -> Vec<String> {
        let body: Value = serde_json::from_str(criteria).unwrap();
        let criteria = parse_criteria(&Fields::of(&body).unwrap(), 0).unwrap();
        instance
            .hierarchy_groups
            .iter()
            .filter(|g| criteria.matches(g))
            .map(|g| {
                let path: Vec<_> = instance
                    .hierarchy_path(&g.id)
                    .iter()
                    .map(|l| l.name.clone())
                    .collect();
                path.join("/")
            })
            .collect()
    }

    #[test]
    fn string_conditions_select_by_name_level_and_parent() {
        let i = Instance::seeded("i");
        let tier1 = r#"{"StringCondition": {"FieldName": "name", "ComparisonType": "EXACT", "Value": "TIER1"}}"#;
        assert_eq!(matching(&i, tier1), ["Seattle/Tier1", "Dublin/Tier1"]);
        let seattle = i.hierarchy_group_by_path("Seattle").unwrap().id.clone();
        let below = format!(
            r#"{{"AndConditions": [
                {{"StringCondition": {{"FieldName": "parentId", "ComparisonType": "EXACT", "Value": "{seattle}"}}}},
                {{"StringCondition": {{"FieldName": "levelId", "ComparisonType": "EXACT", "Value": "2"}}}}
            ]}}"#
        );
        assert_eq!(matching(&i, &below), ["Seattle/Tier1", "Seattle/Tier2"]);
        let either = r#"{"OrConditions": [
            {"StringCondition": {"FieldName": "name", "ComparisonType": "STARTS_WITH", "Value": "dub"}},
            {"StringCondition": {"FieldName": "name", "ComparisonType": "CONTAINS", "Value": "2"}}
        ]}"#;
        assert_eq!(matching(&i, either), ["Seattle/Tier2", "Dublin"]);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let body = json!({"StringCondition": {"FieldName": "Username", "ComparisonType": "EXACT", "Value": "x"}});
        assert!(parse_criteria(&Fields::of(&body).unwrap(), 0).is_err());
    }
}
