//! Unit tests of the profile cache against [`FakeConnect`] (pages of two items,
//! so a fill of its four security profiles costs two calls).

use std::sync::{Arc, PoisonError};
use std::time::Duration;

use super::{CacheConfig, ProfileCache};
use crate::connect::fake::{FakeConnect, group, summary};

fn cold() -> (FakeConnect, ProfileCache) {
    (FakeConnect::new(), ProfileCache::default())
}

#[tokio::test]
async fn a_warm_cache_costs_zero_calls() {
    let (fake, cache) = cold();
    let agent = cache.security_profile_by_name(&fake, "Agent").await;
    assert_eq!(agent.map(|p| p.map(|p| p.id)), Ok(Some("sp-agent".into())));
    assert_eq!(fake.calls("ListSecurityProfiles"), 2, "all pages");

    let by_name = cache
        .security_profile_by_name(&fake, "callcentermanager")
        .await;
    let by_id = cache.security_profile_by_id(&fake, "sp-quality").await;
    let all = cache.security_profiles(&fake).await;

    assert_eq!(
        by_name.map(|p| p.map(|p| p.name)),
        Ok(Some("CallCenterManager".into()))
    );
    assert_eq!(
        by_id.map(|p| p.map(|p| p.name)),
        Ok(Some("QualityAnalyst".into()))
    );
    assert_eq!(all.map(|all| all.len()), Ok(4));
    assert_eq!(fake.total_calls(), 2);
}

#[tokio::test]
async fn a_miss_refreshes_once() {
    let fake = FakeConnect::new();
    let cache = ProfileCache::new(CacheConfig {
        miss_refresh_interval: Duration::ZERO,
        ..CacheConfig::default()
    });
    assert!(matches!(cache.routing_profiles(&fake).await, Ok(all) if all.len() == 1));
    fake.routing_profiles
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(summary("rp-outbound", "Outbound"));

    let found = cache.routing_profile_by_name(&fake, "OUTBOUND").await;
    let missing = cache.routing_profile_by_name(&fake, "Nowhere").await;

    assert_eq!(
        found.map(|p| p.map(|p| p.id)),
        Ok(Some("rp-outbound".into()))
    );
    assert_eq!(missing, Ok(None));
    assert_eq!(
        fake.calls("ListRoutingProfiles"),
        3,
        "fill, then one per miss"
    );
}

#[tokio::test]
async fn misses_within_the_refresh_interval_cost_nothing() {
    let (fake, cache) = cold();
    for _ in 0..10 {
        let missing = cache.security_profile_by_name(&fake, "NoSuchProfile").await;
        assert_eq!(missing, Ok(None));
    }
    assert_eq!(fake.total_calls(), 2, "only the first fill");
}

#[tokio::test]
async fn ttl_expiry_refreshes() {
    let fake = FakeConnect::new();
    let cache = ProfileCache::new(CacheConfig {
        ttl: Duration::from_millis(30),
        ..CacheConfig::default()
    });
    assert!(cache.routing_profile_by_id(&fake, "rp-basic").await.is_ok());
    assert!(cache.routing_profile_by_id(&fake, "rp-basic").await.is_ok());
    assert_eq!(fake.calls("ListRoutingProfiles"), 1);

    tokio::time::sleep(Duration::from_millis(50)).await;
    let again = cache.routing_profile_by_id(&fake, "rp-basic").await;

    assert!(matches!(again, Ok(Some(_))));
    assert_eq!(fake.calls("ListRoutingProfiles"), 2);
}

#[tokio::test]
async fn concurrent_misses_fill_the_cache_once() {
    let fake = Arc::new(FakeConnect::new());
    let cache = Arc::new(ProfileCache::default());
    let lookups: Vec<_> = (0..10)
        .map(|_| {
            let (fake, cache) = (fake.clone(), cache.clone());
            tokio::spawn(
                async move { cache.security_profile_by_name(fake.as_ref(), "Admin").await },
            )
        })
        .collect();
    for lookup in lookups {
        assert!(matches!(lookup.await, Ok(Ok(Some(_)))));
    }
    assert_eq!(fake.calls("ListSecurityProfiles"), 2);
}

#[tokio::test]
async fn inserted_and_removed_profiles_need_no_refill() {
    let (fake, cache) = cold();
    assert!(cache.security_profiles(&fake).await.is_ok());

    cache.insert_security_profile(summary("sp-new", "Supervisors"));
    let inserted = cache.security_profile_by_name(&fake, "supervisors").await;
    cache.remove_security_profile("sp-agent");
    let removed = cache.security_profile_by_id(&fake, "sp-agent").await;

    assert_eq!(inserted.map(|p| p.map(|p| p.id)), Ok(Some("sp-new".into())));
    assert_eq!(removed, Ok(None));
    assert_eq!(fake.total_calls(), 2);

    cache.invalidate_security_profiles();
    let listed_again = cache.security_profile_by_id(&fake, "sp-agent").await;
    assert!(matches!(listed_again, Ok(Some(_))));
    assert_eq!(fake.total_calls(), 4);
}

#[tokio::test]
async fn hierarchy_groups_are_found_by_path_and_by_id_from_one_listing() {
    let (fake, cache) = cold();

    let tier1 = cache.hierarchy_group_by_path(&fake, "seattle/ TIER1").await;
    assert_eq!(tier1.map(|g| g.map(|g| g.id)), Ok(Some("hg-sea-1".into())));
    assert_eq!(
        fake.calls("SearchUserHierarchyGroups"),
        3,
        "all pages of five groups, two a page"
    );

    let again = cache.hierarchy_group_by_path(&fake, "Seattle/Tier1").await;
    let dublin = cache.hierarchy_group_by_path(&fake, "Dublin/Tier1").await;
    let by_id = cache.hierarchy_group_by_id(&fake, "hg-dub").await;
    let nowhere = cache.hierarchy_group_by_path(&fake, "Seattle/Tier9").await;
    let too_deep = cache
        .hierarchy_group_by_path(&fake, "Seattle/Seattle/Tier1")
        .await;
    let empty_segment = cache.hierarchy_group_by_path(&fake, "Seattle//Tier1").await;
    let unknown_id = cache.hierarchy_group_by_id(&fake, "hg-unknown").await;

    assert_eq!(again.map(|g| g.map(|g| g.id)), Ok(Some("hg-sea-1".into())));
    assert_eq!(dublin.map(|g| g.map(|g| g.id)), Ok(Some("hg-dub-1".into())));
    let path = by_id.map(|g| g.map(|g| super::path_of(&g)));
    assert_eq!(path, Ok(Some("Dublin".into())));
    assert_eq!(nowhere, Ok(None));
    assert_eq!(too_deep, Ok(None));
    assert_eq!(empty_segment, Ok(None));
    assert_eq!(unknown_id, Ok(None));
    assert_eq!(
        fake.total_calls(),
        3,
        "every path and id from the one listing"
    );
}

#[tokio::test]
async fn the_foundation_group_is_no_group_and_only_paths_that_round_trip_are_listed() {
    let (fake, cache) = cold();
    {
        let mut groups = fake
            .hierarchy_groups
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        groups.push(group("hg-slash", &[("hg-slash", "North/South")]));
        groups.push(group("hg-space", &[("hg-space", " Padded")]));
        groups.push(group("hg-sea-again", &[("hg-sea-again", "SEATTLE")]));
    }

    let all = cache.hierarchy_groups(&fake).await;
    let paths = cache.hierarchy_paths(&fake).await;
    let root = cache.hierarchy_group_by_id(&fake, "hg-root").await;

    assert_eq!(all.map(|g| g.len()), Ok(7), "the level-0 group is left out");
    assert_eq!(
        paths,
        Ok(vec![
            "Seattle".to_owned(),
            "Seattle/Tier1".to_owned(),
            "Dublin".to_owned(),
            "Dublin/Tier1".to_owned(),
        ])
    );
    assert_eq!(root, Ok(None));
}

#[tokio::test]
async fn a_missing_hierarchy_path_lists_again_once_the_list_is_old_enough() {
    let fake = FakeConnect::new();
    let cache = ProfileCache::new(CacheConfig {
        miss_refresh_interval: Duration::ZERO,
        ..CacheConfig::default()
    });
    assert!(matches!(cache.hierarchy_groups(&fake).await, Ok(all) if all.len() == 4));
    fake.hierarchy_groups
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(group(
            "hg-sea-2",
            &[("hg-sea", "Seattle"), ("hg-sea-2", "Tier2")],
        ));

    let found = cache.hierarchy_group_by_path(&fake, "Seattle/Tier2").await;

    assert_eq!(found.map(|g| g.map(|g| g.id)), Ok(Some("hg-sea-2".into())));
    assert_eq!(
        fake.calls("SearchUserHierarchyGroups"),
        6,
        "two fills of three pages"
    );
}
