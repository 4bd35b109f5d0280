//! The aws-sdk-connect adapter: [`AwsConnect`] implements the [`Connect`] port
//! with the Amazon Connect SDK, and maps SDK errors to [`ConnectError`]. This and
//! its `convert` module are the only places SDK types appear.
//!
//! SDK retries are disabled: the gateway ([`crate::connect::limit`]) retries,
//! so that every attempt passes the one rate limiter.

mod convert;

use std::time::Duration;

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_sdk_connect::config::retry::RetryConfig;
use aws_sdk_connect::config::timeout::TimeoutConfig;
use aws_sdk_connect::config::{Credentials, Region};
use aws_sdk_connect::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::connect::{
    AgentStatus, Connect, ConnectError, CreatedUser, HierarchyGroup, IdentityInfo, Instance,
    NewUser, Page, PhoneConfig, Proficiency, SecurityProfile, SecurityProfileSearch, Summary, Tags,
    User, UserSearch, UserSummary,
};

/// How long to wait for a TCP/TLS connection to Connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one HTTP attempt may take, answer included.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Connect sends no `Retry-After`; a throttled caller is told to wait this long.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);
/// Largest page size of the List* operations we use (`MaxResult1000`).
const LIST_PAGE_SIZE: i32 = 1000;
/// Largest page size of SearchUserHierarchyGroups (`MaxResults` 1–100).
const SEARCH_PAGE_SIZE: i32 = 100;

/// Builds a Connect client from the standard AWS chain (region, credentials,
/// `AWS_ENDPOINT_URL_CONNECT`), with SDK retries disabled and bounded timeouts;
/// `endpoint_url` overrides the endpoint when given.
pub async fn sdk_client(endpoint_url: Option<&str>) -> aws_sdk_connect::Client {
    let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
    let mut config = aws_sdk_connect::config::Builder::from(&shared)
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts());
    if let Some(url) = endpoint_url {
        config = config.endpoint_url(url);
    }
    aws_sdk_connect::Client::from_conf(config.build())
}

/// A Connect client for the simulator at `endpoint_url`: static dummy
/// credentials, region `us-east-1`, SDK retries disabled.
pub fn simulator_client(endpoint_url: &str) -> aws_sdk_connect::Client {
    let config = aws_sdk_connect::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "SIMULATOR",
            "simulator-secret",
            None,
            None,
            "connect-scim-simulator",
        ))
        .endpoint_url(endpoint_url)
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts())
        .build();
    aws_sdk_connect::Client::from_conf(config)
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build()
}

/// ListInstances, all pages: the instances this account can see in the
/// client's region, so a caller can discover the instance id.
pub async fn list_instances(
    client: &aws_sdk_connect::Client,
) -> Result<Vec<Instance>, ConnectError> {
    let mut instances = Vec::new();
    let mut next_token = None;
    loop {
        let page = client
            .list_instances()
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| connect_error("ListInstances", e))?;
        instances.extend(
            page.instance_summary_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(convert::instance_summary_from_sdk),
        );
        next_token = page.next_token;
        if next_token.is_none() {
            return Ok(instances);
        }
    }
}

/// The [`Connect`] port implemented with aws-sdk-connect, against one instance.
#[derive(Debug, Clone)]
pub struct AwsConnect {
    client: aws_sdk_connect::Client,
    instance_id: String,
}

impl AwsConnect {
    /// An adapter for the instance `instance_id` (its id, not its ARN).
    pub fn new(client: aws_sdk_connect::Client, instance_id: String) -> Self {
        AwsConnect {
            client,
            instance_id,
        }
    }

    /// The configured instance id.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }
}

/// Maps an SDK failure of `operation` to the port's error. Never includes
/// request contents or credentials: only Connect's error message and codes.
fn connect_error<E>(operation: &str, error: SdkError<E>) -> ConnectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &error {
        SdkError::ServiceError(service) => classify(
            operation,
            service.err().code(),
            service.err().message(),
            Some(service.raw().status().as_u16()),
        ),
        SdkError::TimeoutError(_) => ConnectError::Unavailable(format!(
            "{operation}: Amazon Connect did not answer in time"
        )),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => ConnectError::Unavailable(
            format!("{operation}: Amazon Connect did not answer in time"),
        ),
        SdkError::DispatchFailure(_) => ConnectError::Unavailable(format!(
            "{operation}: could not reach Amazon Connect: {}",
            DisplayErrorContext(&error)
        )),
        SdkError::ResponseError(response) if response.raw().status().is_server_error() => {
            ConnectError::Unavailable(format!(
                "{operation}: Amazon Connect answered HTTP {}",
                response.raw().status().as_u16()
            ))
        }
        SdkError::ResponseError(_) => ConnectError::Other(format!(
            "{operation}: unreadable answer from Amazon Connect"
        )),
        SdkError::ConstructionFailure(_) => ConnectError::Other(format!(
            "{operation}: could not build the request: {}",
            DisplayErrorContext(&error)
        )),
        _ => ConnectError::Other(format!("{operation}: {}", DisplayErrorContext(&error))),
    }
}

/// Maps a Connect error answer (its `__type` code, message and HTTP status).
fn classify(
    operation: &str,
    code: Option<&str>,
    message: Option<&str>,
    status: Option<u16>,
) -> ConnectError {
    let text = format!(
        "{operation}: {}",
        message.or(code).unwrap_or("no error message")
    );
    match (code.unwrap_or_default(), status.unwrap_or_default()) {
        ("ResourceNotFoundException", _) => ConnectError::NotFound(text),
        ("DuplicateResourceException", _) => ConnectError::Duplicate(text),
        ("InvalidParameterException" | "InvalidRequestException", _) => {
            ConnectError::InvalidParameter(text)
        }
        ("LimitExceededException", _) => ConnectError::LimitExceeded(text),
        ("ThrottlingException" | "TooManyRequestsException", _) | (_, 429) => {
            ConnectError::Throttled {
                retry_after: DEFAULT_RETRY_AFTER,
            }
        }
        ("InternalServiceException" | "ServiceUnavailableException", _) | (_, 500..=599) => {
            ConnectError::Unavailable(text)
        }
        ("AccessDeniedException", _) | (_, 403) => ConnectError::AccessDenied(text),
        _ => ConnectError::Other(text),
    }
}

/// The `Page` of a List* answer.
fn page<T>(items: Vec<T>, next_token: Option<String>) -> Page<T> {
    Page {
        items,
        next_token,
        approximate_total: None,
    }
}

/// The parts of a List* summary: `Id`, `Arn`, `Name`, `LastModifiedTime`.
type SummaryParts = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<aws_sdk_connect::primitives::DateTime>,
);

fn summaries<S>(list: Option<Vec<S>>, parts: impl Fn(S) -> SummaryParts) -> Vec<Summary> {
    list.unwrap_or_default()
        .into_iter()
        .filter_map(|s| {
            let (id, arn, name, modified) = parts(s);
            let summary = convert::summary(id, arn, name)?;
            Some(Summary {
                last_modified: convert::timestamp_from_sdk(modified),
                ..summary
            })
        })
        .collect()
}

#[async_trait]
impl Connect for AwsConnect {
    /// CreateUser.
    async fn create_user(&self, user: &NewUser) -> Result<CreatedUser, ConnectError> {
        let out = self
            .client
            .create_user()
            .instance_id(&self.instance_id)
            .username(&user.username)
            .identity_info(convert::identity_to_sdk(&user.identity))
            .phone_config(convert::phone_to_sdk(&user.phone))
            .set_security_profile_ids(Some(user.security_profile_ids.clone()))
            .routing_profile_id(&user.routing_profile_id)
            .set_hierarchy_group_id(user.hierarchy_group_id.clone())
            .set_tags((!user.tags.is_empty()).then(|| user.tags.clone().into_iter().collect()))
            .set_password(user.password.as_ref().map(|p| p.expose().to_owned()))
            .send()
            .await
            .map_err(|e| connect_error("CreateUser", e))?;
        Ok(CreatedUser {
            id: out.user_id.ok_or_else(|| {
                ConnectError::Other("CreateUser: the answer has no UserId".into())
            })?,
            arn: out.user_arn.unwrap_or_default(),
        })
    }

    /// DescribeUser.
    async fn describe_user(&self, user_id: &str) -> Result<User, ConnectError> {
        let out = self
            .client
            .describe_user()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .send()
            .await
            .map_err(|e| connect_error("DescribeUser", e))?;
        let user = out
            .user
            .ok_or_else(|| ConnectError::Other("DescribeUser: the answer has no User".into()))?;
        convert::user_from_sdk(user)
    }

    /// DeleteUser.
    async fn delete_user(&self, user_id: &str) -> Result<(), ConnectError> {
        self.client
            .delete_user()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .send()
            .await
            .map_err(|e| connect_error("DeleteUser", e))?;
        Ok(())
    }

    /// ListUsers.
    async fn list_users(
        &self,
        next_token: Option<&str>,
        max_results: i32,
    ) -> Result<Page<Summary>, ConnectError> {
        let out = self
            .client
            .list_users()
            .instance_id(&self.instance_id)
            .set_next_token(next_token.map(str::to_owned))
            .max_results(max_results)
            .send()
            .await
            .map_err(|e| connect_error("ListUsers", e))?;
        let items = summaries(out.user_summary_list, |s| {
            (s.id, s.arn, s.username, s.last_modified_time)
        });
        Ok(page(items, out.next_token))
    }

    /// SearchUsers.
    async fn search_users(&self, search: &UserSearch) -> Result<Page<UserSummary>, ConnectError> {
        let filter = search.tag_filter.as_ref().map(|tags| {
            aws_sdk_connect::types::UserSearchFilter::builder()
                .tag_filter(convert::tag_filter_to_sdk(tags))
                .build()
        });
        let out = self
            .client
            .search_users()
            .instance_id(&self.instance_id)
            .set_search_criteria(search.criteria.as_ref().map(convert::criteria_to_sdk))
            .set_search_filter(filter)
            .set_max_results(search.max_results)
            .set_next_token(search.next_token.clone())
            .send()
            .await
            .map_err(|e| connect_error("SearchUsers", e))?;
        let items = out
            .users
            .unwrap_or_default()
            .into_iter()
            .filter_map(convert::user_summary_from_sdk)
            .collect();
        Ok(Page {
            items,
            next_token: out.next_token,
            approximate_total: out.approximate_total_count,
        })
    }

    /// UpdateUserIdentityInfo.
    async fn update_user_identity_info(
        &self,
        user_id: &str,
        identity: &IdentityInfo,
    ) -> Result<(), ConnectError> {
        self.client
            .update_user_identity_info()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .identity_info(convert::identity_to_sdk(identity))
            .send()
            .await
            .map_err(|e| connect_error("UpdateUserIdentityInfo", e))?;
        Ok(())
    }

    /// UpdateUserSecurityProfiles.
    async fn update_user_security_profiles(
        &self,
        user_id: &str,
        security_profile_ids: &[String],
    ) -> Result<(), ConnectError> {
        self.client
            .update_user_security_profiles()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .set_security_profile_ids(Some(security_profile_ids.to_vec()))
            .send()
            .await
            .map_err(|e| connect_error("UpdateUserSecurityProfiles", e))?;
        Ok(())
    }

    /// UpdateUserRoutingProfile.
    async fn update_user_routing_profile(
        &self,
        user_id: &str,
        routing_profile_id: &str,
    ) -> Result<(), ConnectError> {
        self.client
            .update_user_routing_profile()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .routing_profile_id(routing_profile_id)
            .send()
            .await
            .map_err(|e| connect_error("UpdateUserRoutingProfile", e))?;
        Ok(())
    }

    /// UpdateUserPhoneConfig.
    async fn update_user_phone_config(
        &self,
        user_id: &str,
        phone: &PhoneConfig,
    ) -> Result<(), ConnectError> {
        self.client
            .update_user_phone_config()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .phone_config(convert::phone_to_sdk(phone))
            .send()
            .await
            .map_err(|e| connect_error("UpdateUserPhoneConfig", e))?;
        Ok(())
    }

    /// UpdateUserHierarchy (no `HierarchyGroupId` removes the user from its group).
    async fn update_user_hierarchy(
        &self,
        user_id: &str,
        hierarchy_group_id: Option<&str>,
    ) -> Result<(), ConnectError> {
        self.client
            .update_user_hierarchy()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .set_hierarchy_group_id(hierarchy_group_id.map(str::to_owned))
            .send()
            .await
            .map_err(|e| connect_error("UpdateUserHierarchy", e))?;
        Ok(())
    }

    /// ListSecurityProfiles.
    async fn list_security_profiles(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<Summary>, ConnectError> {
        let out = self
            .client
            .list_security_profiles()
            .instance_id(&self.instance_id)
            .set_next_token(next_token.map(str::to_owned))
            .max_results(LIST_PAGE_SIZE)
            .send()
            .await
            .map_err(|e| connect_error("ListSecurityProfiles", e))?;
        let items = summaries(out.security_profile_summary_list, |s| {
            (s.id, s.arn, s.name, s.last_modified_time)
        });
        Ok(page(items, out.next_token))
    }

    /// DescribeSecurityProfile.
    async fn describe_security_profile(
        &self,
        profile_id: &str,
    ) -> Result<SecurityProfile, ConnectError> {
        let out = self
            .client
            .describe_security_profile()
            .instance_id(&self.instance_id)
            .security_profile_id(profile_id)
            .send()
            .await
            .map_err(|e| connect_error("DescribeSecurityProfile", e))?;
        let profile = out.security_profile.ok_or_else(|| {
            ConnectError::Other("DescribeSecurityProfile: the answer has no SecurityProfile".into())
        })?;
        convert::security_profile_from_sdk(profile)
    }

    /// SearchSecurityProfiles.
    async fn search_security_profiles(
        &self,
        search: &SecurityProfileSearch,
    ) -> Result<Page<SecurityProfile>, ConnectError> {
        let filter = search.tag_filter.as_ref().map(|tags| {
            aws_sdk_connect::types::SecurityProfilesSearchFilter::builder()
                .tag_filter(convert::tag_filter_to_sdk(tags))
                .build()
        });
        let out = self
            .client
            .search_security_profiles()
            .instance_id(&self.instance_id)
            .set_search_filter(filter)
            .set_max_results(search.max_results)
            .set_next_token(search.next_token.clone())
            .send()
            .await
            .map_err(|e| connect_error("SearchSecurityProfiles", e))?;
        let items = out
            .security_profiles
            .unwrap_or_default()
            .into_iter()
            .filter_map(convert::security_profile_summary_from_sdk)
            .collect();
        Ok(Page {
            items,
            next_token: out.next_token,
            approximate_total: out.approximate_total_count,
        })
    }

    /// CreateSecurityProfile, with no permissions.
    async fn create_security_profile(
        &self,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<Summary, ConnectError> {
        let out = self
            .client
            .create_security_profile()
            .instance_id(&self.instance_id)
            .security_profile_name(name)
            .description(description)
            .set_tags((!tags.is_empty()).then(|| tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| connect_error("CreateSecurityProfile", e))?;
        let id = out.security_profile_id.ok_or_else(|| {
            ConnectError::Other("CreateSecurityProfile: the answer has no SecurityProfileId".into())
        })?;
        Ok(Summary {
            id,
            arn: out.security_profile_arn.unwrap_or_default(),
            name: name.to_owned(),
            last_modified: None,
        })
    }

    /// DeleteSecurityProfile.
    async fn delete_security_profile(&self, profile_id: &str) -> Result<(), ConnectError> {
        self.client
            .delete_security_profile()
            .instance_id(&self.instance_id)
            .security_profile_id(profile_id)
            .send()
            .await
            .map_err(|e| connect_error("DeleteSecurityProfile", e))?;
        Ok(())
    }

    /// ListRoutingProfiles.
    async fn list_routing_profiles(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<Summary>, ConnectError> {
        let out = self
            .client
            .list_routing_profiles()
            .instance_id(&self.instance_id)
            .set_next_token(next_token.map(str::to_owned))
            .max_results(LIST_PAGE_SIZE)
            .send()
            .await
            .map_err(|e| connect_error("ListRoutingProfiles", e))?;
        let items = summaries(out.routing_profile_summary_list, |s| {
            (s.id, s.arn, s.name, s.last_modified_time)
        });
        Ok(page(items, out.next_token))
    }

    /// SearchUserHierarchyGroups, no criteria, 100 a page (its largest).
    async fn search_user_hierarchy_groups(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<HierarchyGroup>, ConnectError> {
        let out = self
            .client
            .search_user_hierarchy_groups()
            .instance_id(&self.instance_id)
            .set_next_token(next_token.map(str::to_owned))
            .max_results(SEARCH_PAGE_SIZE)
            .send()
            .await
            .map_err(|e| connect_error("SearchUserHierarchyGroups", e))?;
        let items = out
            .user_hierarchy_groups
            .unwrap_or_default()
            .into_iter()
            .map(convert::hierarchy_group_from_sdk)
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            next_token: out.next_token,
            approximate_total: out.approximate_total_count,
        })
    }

    /// TagResource.
    async fn tag_resource(&self, arn: &str, tags: &Tags) -> Result<(), ConnectError> {
        self.client
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| connect_error("TagResource", e))?;
        Ok(())
    }

    /// UntagResource.
    async fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<(), ConnectError> {
        self.client
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map_err(|e| connect_error("UntagResource", e))?;
        Ok(())
    }

    /// ListTagsForResource.
    async fn list_tags_for_resource(&self, arn: &str) -> Result<Tags, ConnectError> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| connect_error("ListTagsForResource", e))?;
        Ok(out.tags.unwrap_or_default().into_iter().collect())
    }

    /// DescribeInstance.
    async fn describe_instance(&self) -> Result<Instance, ConnectError> {
        let out = self
            .client
            .describe_instance()
            .instance_id(&self.instance_id)
            .send()
            .await
            .map_err(|e| connect_error("DescribeInstance", e))?;
        let instance = out.instance.ok_or_else(|| {
            ConnectError::Other("DescribeInstance: the answer has no Instance".into())
        })?;
        convert::instance_from_sdk(instance)
    }

    /// ListAgentStatuses.
    async fn list_agent_statuses(
        &self,
        next_token: Option<&str>,
    ) -> Result<Page<AgentStatus>, ConnectError> {
        let out = self
            .client
            .list_agent_statuses()
            .instance_id(&self.instance_id)
            .set_next_token(next_token.map(str::to_owned))
            .max_results(LIST_PAGE_SIZE)
            .send()
            .await
            .map_err(|e| connect_error("ListAgentStatuses", e))?;
        let items = out
            .agent_status_summary_list
            .unwrap_or_default()
            .into_iter()
            .filter_map(convert::agent_status_from_sdk)
            .collect();
        Ok(page(items, out.next_token))
    }

    /// ListUserProficiencies.
    async fn list_user_proficiencies(
        &self,
        user_id: &str,
        next_token: Option<&str>,
    ) -> Result<Page<Proficiency>, ConnectError> {
        let out = self
            .client
            .list_user_proficiencies()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .set_next_token(next_token.map(str::to_owned))
            .max_results(100)
            .send()
            .await
            .map_err(|e| connect_error("ListUserProficiencies", e))?;
        let items = out
            .user_proficiency_list
            .unwrap_or_default()
            .into_iter()
            .map(convert::proficiency_from_sdk)
            .collect();
        Ok(page(items, out.next_token))
    }

    /// AssociateUserProficiencies.
    async fn associate_user_proficiencies(
        &self,
        user_id: &str,
        proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError> {
        self.client
            .associate_user_proficiencies()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .set_user_proficiencies(Some(convert::proficiencies_to_sdk(proficiencies)?))
            .send()
            .await
            .map_err(|e| connect_error("AssociateUserProficiencies", e))?;
        Ok(())
    }

    /// UpdateUserProficiencies.
    async fn update_user_proficiencies(
        &self,
        user_id: &str,
        proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError> {
        self.client
            .update_user_proficiencies()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .set_user_proficiencies(Some(convert::proficiencies_to_sdk(proficiencies)?))
            .send()
            .await
            .map_err(|e| connect_error("UpdateUserProficiencies", e))?;
        Ok(())
    }

    /// DisassociateUserProficiencies.
    async fn disassociate_user_proficiencies(
        &self,
        user_id: &str,
        proficiencies: &[Proficiency],
    ) -> Result<(), ConnectError> {
        self.client
            .disassociate_user_proficiencies()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .set_user_proficiencies(Some(convert::proficiency_keys_to_sdk(proficiencies)?))
            .send()
            .await
            .map_err(|e| connect_error("DisassociateUserProficiencies", e))?;
        Ok(())
    }

    /// DescribePredefinedAttribute.
    async fn describe_predefined_attribute(&self, name: &str) -> Result<Vec<String>, ConnectError> {
        let out = self
            .client
            .describe_predefined_attribute()
            .instance_id(&self.instance_id)
            .name(name)
            .send()
            .await
            .map_err(|e| connect_error("DescribePredefinedAttribute", e))?;
        Ok(convert::predefined_values_from_sdk(
            out.predefined_attribute,
        ))
    }

    /// PutUserStatus.
    async fn put_user_status(
        &self,
        user_id: &str,
        agent_status_id: &str,
    ) -> Result<(), ConnectError> {
        self.client
            .put_user_status()
            .instance_id(&self.instance_id)
            .user_id(user_id)
            .agent_status_id(agent_status_id)
            .send()
            .await
            .map_err(|e| connect_error("PutUserStatus", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_error_codes_map_to_the_port_errors() {
        let map = |code, status| classify("Op", Some(code), Some("why"), Some(status));
        assert_eq!(
            map("ResourceNotFoundException", 404),
            ConnectError::NotFound("Op: why".into())
        );
        assert_eq!(
            map("DuplicateResourceException", 409),
            ConnectError::Duplicate("Op: why".into())
        );
        assert_eq!(
            map("InvalidRequestException", 400),
            ConnectError::InvalidParameter("Op: why".into())
        );
        assert_eq!(
            map("InvalidParameterException", 400),
            ConnectError::InvalidParameter("Op: why".into())
        );
        assert_eq!(
            map("LimitExceededException", 429),
            ConnectError::LimitExceeded("Op: why".into())
        );
        assert_eq!(
            map("ThrottlingException", 429),
            ConnectError::Throttled {
                retry_after: DEFAULT_RETRY_AFTER
            }
        );
        assert_eq!(
            map("InternalServiceException", 500),
            ConnectError::Unavailable("Op: why".into())
        );
        assert_eq!(
            map("AccessDeniedException", 403),
            ConnectError::AccessDenied("Op: why".into())
        );
        assert_eq!(map("Whatever", 400), ConnectError::Other("Op: why".into()));
    }

    #[test]
    fn unknown_codes_fall_back_on_the_http_status() {
        let map = |status| classify("Op", None, None, Some(status));
        assert!(matches!(map(429), ConnectError::Throttled { .. }));
        assert!(matches!(map(503), ConnectError::Unavailable(_)));
        assert!(matches!(map(403), ConnectError::AccessDenied(_)));
        assert_eq!(map(418), ConnectError::Other("Op: no error message".into()));
    }
}
