//! The instance's names that /Schemas publishes as `canonicalValues`, from the
//! profile cache: no Connect call when it is warm (ListSecurityProfiles and
//! ListRoutingProfiles when cold). A list Connect cannot give now (a throttle,
//! the deadline) is left out rather than failing discovery.

use crate::connect::Connect;
use crate::scim::discovery::CanonicalNames;

use super::Provisioning;

impl Provisioning {
    /// Security profile names (without the no-permission one and the
    /// protected ones, which SCIM never grants) and routing
    /// profile names. Hierarchy group paths are left out: each would cost a
    /// DescribeUserHierarchyGroup.
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
        CanonicalNames {
            security_profiles,
            routing_profiles,
            hierarchy_groups: Vec::new(),
        }
    }
}
