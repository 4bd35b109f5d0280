//! What /Schemas says of the instance: its names as `canonicalValues`, from the
//! profile cache (no Connect call when it is warm; ListSecurityProfiles,
//! ListRoutingProfiles and one SearchUserHierarchyGroups per 100 groups when
//! cold), and whether CreateUser needs both names (the identity type, one
//! DescribeInstance per process). What Connect cannot tell now (a throttle,
//! the deadline, a role without DescribeInstance) is left out rather than
//! failing discovery.

use crate::connect::Connect;
use crate::scim::discovery::CanonicalNames;

use super::Provisioning;

impl Provisioning {
    /// Security profile names (without the no-permission one and the
    /// protected ones, which SCIM never grants), routing profile names, and
    /// the hierarchy group paths a write finds again (`None` when Connect
    /// could not list them, empty when the instance has none).
    pub async fn canonical_names(&self, connect: &dyn Connect) -> CanonicalNames {
        let security_profiles = match self.cache.security_profiles(connect).await {
            Ok(list) => list
                .iter()
                .map(|p| p.name.clone())
                .filter(|n| !self.is_disabled_profile(n) && self.protected_profile(n).is_none())
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "security profile names left out of /Schemas");
                Vec::new()
            }
        };
        let routing_profiles = match self.cache.routing_profiles(connect).await {
            Ok(list) => list.iter().map(|p| p.name.clone()).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "routing profile names left out of /Schemas");
                Vec::new()
            }
        };
        let hierarchy_groups = match self.cache.hierarchy_paths(connect).await {
            Ok(paths) => Some(paths),
            Err(e) => {
                tracing::warn!(error = %e, "hierarchy group paths left out of /Schemas");
                None
            }
        };
        let (names_required, password_required) = match self
            .cache
            .identity_management_type(connect)
            .await
        {
            Ok(identity_type) => (
                matches!(identity_type.as_str(), "SAML" | "CONNECT_MANAGED"),
                identity_type == "CONNECT_MANAGED",
            ),
            Err(e) => {
                tracing::warn!(error = %e, "DescribeInstance failed; /Schemas leaves name optional");
                (false, false)
            }
        };
        CanonicalNames {
            security_profiles,
            routing_profiles,
            hierarchy_groups,
            names_required,
            password_required,
        }
    }
}
