//! One cached Connect list of named resources (`Summary`s), with its fill time:
//! refilled when older than the TTL, or on a miss when older than the miss
//! refresh interval; concurrent refills wait for one another instead of all
//! calling Connect.

use std::sync::{Arc, PoisonError, RwLock};

use tokio::time::Instant;

use super::CacheConfig;
use crate::connect::{Connect, ConnectError, Page, Summary};

/// A list refill stops after this many pages (1000 items each) rather than
/// follow a broken `NextToken` forever.
const MAX_PAGES: usize = 100;

/// Which List* operation fills the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Listing {
    #[default]
    SecurityProfiles,
    RoutingProfiles,
    HierarchyGroups,
}

impl Listing {
    async fn page(
        self,
        connect: &dyn Connect,
        next_token: Option<&str>,
    ) -> Result<Page<Summary>, ConnectError> {
        match self {
            Listing::SecurityProfiles => connect.list_security_profiles(next_token).await,
            Listing::RoutingProfiles => connect.list_routing_profiles(next_token).await,
            Listing::HierarchyGroups => connect.list_user_hierarchy_groups(next_token).await,
        }
    }

    /// Every page of the list.
    async fn all(self, connect: &dyn Connect) -> Result<Vec<Summary>, ConnectError> {
        let mut items = Vec::new();
        let mut next_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.page(connect, next_token.as_deref()).await?;
            items.extend(page.items);
            next_token = page.next_token;
            if next_token.is_none() {
                return Ok(items);
            }
        }
        Err(ConnectError::Other(format!(
            "{self:?}: more than {MAX_PAGES} pages"
        )))
    }
}

#[derive(Debug, Default)]
struct Filled {
    items: Option<Arc<Vec<Summary>>>,
    at: Option<Instant>,
}

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct NamedList {
    listing: Listing,
    filled: RwLock<Filled>,
    refill: tokio::sync::Mutex<()>,
}

impl NamedList {
    pub(super) fn new(listing: Listing) -> Self {
        NamedList {
            listing,
            ..NamedList::default()
        }
    }

    fn snapshot(&self) -> (Option<Arc<Vec<Summary>>>, Option<Instant>) {
        let filled = self.filled.read().unwrap_or_else(PoisonError::into_inner);
        (filled.items.clone(), filled.at)
    }

    /// The whole list, refilled first if it is empty or older than the TTL.
    pub(super) async fn all(
        &self,
        connect: &dyn Connect,
        config: &CacheConfig,
    ) -> Result<Arc<Vec<Summary>>, ConnectError> {
        match self.snapshot() {
            (Some(items), Some(at)) if at.elapsed() < config.ttl => Ok(items),
            (_, at) => self.refill(connect, at).await,
        }
    }

    /// The first item `matches` accepts, refilling once on a miss if allowed.
    pub(super) async fn find(
        &self,
        connect: &dyn Connect,
        config: &CacheConfig,
        matches: impl Fn(&Summary) -> bool,
    ) -> Result<Option<Summary>, ConnectError> {
        let items = self.all(connect, config).await?;
        if let Some(found) = items.iter().find(|s| matches(s)) {
            return Ok(Some(found.clone()));
        }
        let refilled = self.refill_after_miss(connect, config).await?;
        Ok(refilled.and_then(|items| items.iter().find(|s| matches(s)).cloned()))
    }

    /// After a miss: the refilled list, or `None` if the list is younger than
    /// the miss refresh interval (a refill would most likely miss again).
    pub(super) async fn refill_after_miss(
        &self,
        connect: &dyn Connect,
        config: &CacheConfig,
    ) -> Result<Option<Arc<Vec<Summary>>>, ConnectError> {
        let (_, at) = self.snapshot();
        if at.is_some_and(|at| at.elapsed() < config.miss_refresh_interval) {
            return Ok(None);
        }
        self.refill(connect, at).await.map(Some)
    }

    /// Lists again, unless another caller refilled since `seen` (the fill time
    /// this caller found stale), in which case its list is used.
    async fn refill(
        &self,
        connect: &dyn Connect,
        seen: Option<Instant>,
    ) -> Result<Arc<Vec<Summary>>, ConnectError> {
        let _one_at_a_time = self.refill.lock().await;
        if let (Some(items), at) = self.snapshot()
            && at != seen
        {
            return Ok(items);
        }
        let items = Arc::new(self.listing.all(connect).await?);
        let mut filled = self.filled.write().unwrap_or_else(PoisonError::into_inner);
        *filled = Filled {
            items: Some(items.clone()),
            at: Some(Instant::now()),
        };
        Ok(items)
    }

    /// Forgets the list; the next use refills it.
    pub(super) fn invalidate(&self) {
        *self.filled.write().unwrap_or_else(PoisonError::into_inner) = Filled::default();
    }

    /// Adds one item to a filled list, or replaces the item with its id in
    /// place (so pages over the list keep their order).
    pub(super) fn insert(&self, item: Summary) {
        self.edit(|items| match items.iter_mut().find(|s| s.id == item.id) {
            Some(existing) => *existing = item,
            None => items.push(item),
        });
    }

    /// Removes one item, by id, from a filled list.
    pub(super) fn remove(&self, id: &str) {
        self.edit(|items| items.retain(|s| s.id != id));
    }

    fn edit(&self, change: impl FnOnce(&mut Vec<Summary>)) {
        let mut filled = self.filled.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(items) = &filled.items {
            let mut edited = items.as_ref().clone();
            change(&mut edited);
            filled.items = Some(Arc::new(edited));
        }
    }
}
