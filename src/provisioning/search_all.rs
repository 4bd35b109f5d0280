//! `POST /.search` (RFC 7644 §3.4.3): one ListResponse over Users, then
//! Groups. Each type is searched by its own list use case with the filter as
//! it reads for that type ([`Filter::scoped_to`]: an attribute the type lacks
//! has no value), so it costs what the two GET lists cost (a page past the
//! last user asks the Users list once more, for its total alone), and nothing
//! for a type the filter rules out. The page is cut from the concatenation:
//! the Users list gives its total, the Groups list the rest of the page. Sorting
//! across types would need every match of both read and merged; `sortBy` is
//! refused there rather than sorted per type.

use serde_json::Value;

use crate::connect::Connect;
use crate::scim::error::ScimError;
use crate::scim::filter::Scoped;
use crate::scim::list::ListQuery;
use crate::scim::schema::ResourceSchema;

use super::{Error, Provisioning};

/// The resource types `POST /.search` spans, in the order it lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceType {
    User,
    Group,
}

impl ResourceType {
    /// The ResourceType `id` (RFC 7643 §6), as `meta.resourceType` shows it.
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::User => "User",
            ResourceType::Group => "Group",
        }
    }

    /// Its schema with extensions.
    pub fn schema(self) -> ResourceSchema {
        match self {
            ResourceType::User => ResourceSchema::user(),
            ResourceType::Group => ResourceSchema::group(),
        }
    }
}

/// One page of a search across resource types.
#[derive(Debug, Clone, PartialEq)]
pub struct MixedList {
    /// Users first, then Groups, each with its type.
    pub resources: Vec<(ResourceType, Value)>,
    pub total_results: usize,
    pub start_index: usize,
}

impl Provisioning {
    /// POST /.search; see the module docs.
    pub async fn search_all_types(
        &self,
        connect: &dyn Connect,
        query: &ListQuery,
        base: &str,
    ) -> Result<MixedList, Error> {
        if query.sort_by.is_some() {
            return Err(Error::Scim(ScimError::invalid_value(
                "sortBy is not supported when searching across resource types (POST /.search); \
                 sort with POST /Users/.search or /Groups/.search",
            )));
        }
        let start = query.start_index.max(1);
        let count = query
            .count
            .unwrap_or(self.settings.max_page_size)
            .min(self.settings.max_page_size);
        let mut resources = Vec::new();
        let mut total = 0;
        for kind in [ResourceType::User, ResourceType::Group] {
            let filter = match &query.filter {
                None => None,
                Some(filter) => match filter.scoped_to(&kind.schema(), kind.name()) {
                    Scoped::Nothing => continue,
                    Scoped::Every => None,
                    Scoped::Filter(f) => Some(f),
                },
            };
            // The first resource of this type is number `total + 1` overall.
            let typed = ListQuery {
                filter,
                start_index: start.saturating_sub(total).max(1),
                count: Some(count - resources.len()),
                ..query.clone()
            };
            let (page, found) = self.list_of(kind, connect, &typed, base).await?;
            resources.extend(page.into_iter().map(|r| (kind, r)));
            total += found;
        }
        Ok(MixedList {
            resources,
            total_results: total,
            start_index: start,
        })
    }

    /// One type's page and total, from its GET list use case.
    async fn list_of(
        &self,
        kind: ResourceType,
        connect: &dyn Connect,
        query: &ListQuery,
        base: &str,
    ) -> Result<(Vec<Value>, usize), Error> {
        Ok(match kind {
            ResourceType::User => {
                let list = self.list_users(connect, query, base).await?;
                (list.resources, list.total_results)
            }
            ResourceType::Group => {
                let list = self.list_groups(connect, query, base).await?;
                (list.resources, list.total_results)
            }
        })
    }
}
