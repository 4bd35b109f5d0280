//! One cached Connect list (profile `Summary`s, or hierarchy groups with their
//! paths), with its fill time: refilled when older than the TTL, or on a miss
//! when older than the miss refresh interval; concurrent refills wait for one
//! another instead of all calling Connect.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};

use tokio::time::Instant;

use super::CacheConfig;
use crate::connect::{Connect, ConnectError, HierarchyGroup, Page, Summary};

/// A list refill stops after this many pages rather than follow a broken
/// `NextToken` forever (100,000 profiles, 10,000 hierarchy groups).
const MAX_PAGES: usize = 100;

/// One page of a listing, as the Connect port answers it.
type PageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<Page<T>, ConnectError>> + Send + 'a>>;

/// A filled list's items, shared with the callers that read it.
type Items<L> = Option<Arc<Vec<<L as Listing>::Item>>>;

/// Which Connect operation fills a list, and what its items are.
pub(super) trait Listing: Copy + Debug + Default + Send + Sync {
    type Item: Clone + Debug + Send + Sync;

    /// One page of the list.
    fn page<'a>(
        self,
        connect: &'a dyn Connect,
        next_token: Option<&'a str>,
    ) -> PageFuture<'a, Self::Item>;

    /// Whether an item belongs in the cached list.
    fn keep(_item: &Self::Item) -> bool {
        true
    }
}

/// The profile lists (ListSecurityProfiles, ListRoutingProfiles, 1,000 a page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Profiles {
    #[default]
    Security,
    Routing,
}

impl Listing for Profiles {
    type Item = Summary;

    fn page<'a>(
        self,
        connect: &'a dyn Connect,
        next_token: Option<&'a str>,
    ) -> PageFuture<'a, Summary> {
        match self {
            Profiles::Security => connect.list_security_profiles(next_token),
            Profiles::Routing => connect.list_routing_profiles(next_token),
        }
    }
}

/// Every hierarchy group with its path (SearchUserHierarchyGroups, 100 a
/// page), without the foundation group Connect keeps at level 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct HierarchyGroups;

impl Listing for HierarchyGroups {
    type Item = HierarchyGroup;

    fn page<'a>(
        self,
        connect: &'a dyn Connect,
        next_token: Option<&'a str>,
    ) -> PageFuture<'a, HierarchyGroup> {
        connect.search_user_hierarchy_groups(next_token)
    }

    fn keep(group: &HierarchyGroup) -> bool {
        group.level_id != HierarchyGroup::FOUNDATION_LEVEL
    }
}

/// Every page of the list.
async fn all_pages<L: Listing>(
    listing: L,
    connect: &dyn Connect,
) -> Result<Vec<L::Item>, ConnectError> {
    let mut items = Vec::new();
    let mut next_token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = listing.page(connect, next_token.as_deref()).await?;
        items.extend(page.items.into_iter().filter(L::keep));
        next_token = page.next_token;
        if next_token.is_none() {
            return Ok(items);
        }
    }
    Err(ConnectError::Other(format!(
        "{listing:?}: more than {MAX_PAGES} pages"
    )))
}

#[derive(Debug)]
struct Filled<T> {
    items: Option<Arc<Vec<T>>>,
    at: Option<Instant>,
}

impl<T> Default for Filled<T> {
    fn default() -> Self {
        Filled {
            items: None,
            at: None,
        }
    }
}

/// See the module docs.
#[derive(Debug)]
pub(super) struct NamedList<L: Listing> {
    listing: L,
    filled: RwLock<Filled<L::Item>>,
    refill: tokio::sync::Mutex<()>,
}

impl<L: Listing> NamedList<L> {
    pub(super) fn new(listing: L) -> Self {
        NamedList {
            listing,
            filled: RwLock::default(),
            refill: tokio::sync::Mutex::default(),
        }
    }

    fn snapshot(&self) -> (Items<L>, Option<Instant>) {
        let filled = self.filled.read().unwrap_or_else(PoisonError::into_inner);
        (filled.items.clone(), filled.at)
    }

    /// The whole list, refilled first if it is empty or older than the TTL.
    pub(super) async fn all(
        &self,
        connect: &dyn Connect,
        config: &CacheConfig,
    ) -> Result<Arc<Vec<L::Item>>, ConnectError> {
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
        matches: impl Fn(&L::Item) -> bool,
    ) -> Result<Option<L::Item>, ConnectError> {
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
    ) -> Result<Option<Arc<Vec<L::Item>>>, ConnectError> {
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
    ) -> Result<Arc<Vec<L::Item>>, ConnectError> {
        let _one_at_a_time = self.refill.lock().await;
        if let (Some(items), at) = self.snapshot()
            && at != seen
        {
            return Ok(items);
        }
        let items = Arc::new(all_pages(self.listing, connect).await?);
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
}

impl NamedList<Profiles> {
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
