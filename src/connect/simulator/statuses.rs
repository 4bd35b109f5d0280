//! Agent statuses: ListAgentStatuses over the statuses a new instance has
//! (Available, Offline) and PutUserStatus, which records the agent's current
//! status on the user.

use serde_json::{Value, json};

use super::dispatch::Call;
use super::state::{EpochMillis, Instance, REGION};
use super::wire::{ApiError, ApiResult, paginate};

/// `AgentStatusType` values.
const STATUS_TYPES: [&str; 3] = ["ROUTABLE", "CUSTOM", "OFFLINE"];

/// ListAgentStatuses (`GET /agent-status/{InstanceId}`), optionally filtered
/// by the `AgentStatusTypes` query members.
pub fn list(instance: &Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    let max = call.query.max_results(100, 1000)?;
    let types = call.query.all("AgentStatusTypes");
    if let Some(bad) = types.iter().find(|t| !STATUS_TYPES.contains(&t.as_str())) {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid AgentStatusType: {bad}"
        )));
    }
    let now = EpochMillis::now().seconds();
    let items: Vec<(u64, Value)> = instance
        .agent_statuses
        .iter()
        .filter(|s| types.is_empty() || types.contains(&s.status_type))
        .map(|s| {
            let summary = json!({
                "Id": s.id,
                "Arn": instance.resource_arn("agent-state", &s.id),
                "Name": s.name,
                "Type": s.status_type,
                "LastModifiedTime": now,
                "LastModifiedRegion": REGION,
            });
            (s.seq, summary)
        })
        .collect();
    let (page, next) = paginate(items, "ListAgentStatuses", call.query.get("nextToken"), max)?;
    Ok(json!({ "AgentStatusSummaryList": page, "NextToken": next }))
}

/// PutUserStatus (`PUT /users/{InstanceId}/{UserId}/status`): `AgentStatusId`
/// must name a status of the instance.
pub fn put(instance: &mut Instance, call: &Call) -> ApiResult {
    instance.check_id(call.param(0))?;
    instance.user(call.param(1))?;
    let id = call.fields()?.required_string("AgentStatusId")?;
    instance.agent_status(&id)?;
    let user = instance.user_mut(call.param(1))?;
    user.agent_status_id = Some(id);
    Ok(json!({}))
}
