//! Discovery documents generated from one `Capabilities` value and the static
//! schema definitions: ServiceProviderConfig (RFC 7643 §5), ResourceTypes
//! (RFC 7643 §6) and Schemas (RFC 7643 §7), each with `meta`. The Schemas
//! publish only the attributes that round-trip (see [`PUBLISHED`]), with their
//! real mutability, and the instance's names as `canonicalValues`; every
//! other attribute of the static schemas is still read (and ignored) on write.

use serde_json::{Map, Value, json};

use super::schema::{
    AttrType, Attribute, CONNECT_USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, RESOURCE_TYPE,
    ResourceSchema, SCHEMA, SERVICE_PROVIDER_CONFIG, Schema, USER_SCHEMA,
};

/// What this service provider supports, advertised in ServiceProviderConfig (RFC 7643 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// PATCH is supported (RFC 7643 §5 `patch`).
    pub patch: bool,
    /// Bulk is supported (RFC 7643 §5 `bulk`); we do not.
    pub bulk: bool,
    /// Most resources a filtered list returns (RFC 7643 §5 `filter.maxResults`).
    pub filter_max_results: usize,
    /// Password change is supported (RFC 7643 §5 `changePassword`).
    pub change_password: bool,
    /// `sortBy` is supported (RFC 7643 §5 `sort`).
    pub sort: bool,
    /// ETags are supported (RFC 7643 §5 `etag`).
    pub etag: bool,
    /// Largest request body accepted, in bytes (RFC 7643 §5 `bulk.maxPayloadSize`).
    pub max_payload_bytes: usize,
    /// Where the human-readable documentation is (RFC 7643 §5 `documentationUri`).
    pub documentation_uri: Option<String>,
}

/// The names an instance offers, published as `canonicalValues` (RFC 7643 §2.3.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CanonicalNames {
    /// For `entitlements`, enterprise `department`, the extension's `securityProfiles`.
    pub security_profiles: Vec<String>,
    /// For `roles` and the extension's `routingProfile`.
    pub routing_profiles: Vec<String>,
    /// For the extension's `hierarchyGroup` (paths): `None` when the instance
    /// could not tell; empty when it has no hierarchy group, and then the
    /// attribute is not published (no value could round-trip through it).
    pub hierarchy_groups: Option<Vec<String>>,
    /// The instance requires `name.givenName` and `name.familyName` on create
    /// (CreateUser's rule on SAML and Connect-managed instances): published
    /// as `required`.
    pub names_required: bool,
    /// The instance manages identities itself (`CONNECT_MANAGED`), whose
    /// CreateUser requires a password: `password` is published, `required`
    /// (write-only, never returned); elsewhere it is not.
    pub password_required: bool,
}

/// Which names a published attribute takes its `canonicalValues` from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    SecurityProfiles,
    RoutingProfiles,
    HierarchyGroups,
}

/// One published attribute: its name, the sub-attributes published (all when
/// empty), a mutability override, where its `canonicalValues` come from (for
/// a complex attribute, they go on its `value`), and whether it is left out
/// when the instance is known to have none of those names.
struct Published {
    name: &'static str,
    subs: &'static [&'static str],
    read_only: bool,
    immutable: bool,
    names: Option<Names>,
    required_when_names: bool,
    only_with_names: bool,
    only_with_password: bool,
}

const fn attr(name: &'static str) -> Published {
    Published {
        name,
        subs: &[],
        read_only: false,
        immutable: false,
        names: None,
        required_when_names: false,
        only_with_names: false,
        only_with_password: false,
    }
}

impl Published {
    const fn subs(mut self, subs: &'static [&'static str]) -> Self {
        self.subs = subs;
        self
    }
    const fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
    /// Set when the resource is created, never changed after (RFC 7643 §7
    /// `immutable`).
    const fn immutable(mut self) -> Self {
        self.immutable = true;
        self
    }
    /// Required (with its given and family names) on an instance whose
    /// CreateUser needs them.
    const fn required_when_names(mut self) -> Self {
        self.required_when_names = true;
        self
    }
    const fn names(mut self, names: Names) -> Self {
        self.names = Some(names);
        self
    }
    /// Left out of /Schemas when the instance is known to have none of its
    /// names: no value could be written and read back.
    const fn only_with_names(mut self) -> Self {
        self.only_with_names = true;
        self
    }
    /// Published, and `required`, only on an instance whose CreateUser needs
    /// a password.
    const fn only_with_password(mut self) -> Self {
        self.only_with_password = true;
        self
    }
}

/// The attributes that round-trip through Amazon Connect, per schema: what
/// /Schemas publishes. Everything else is accepted and ignored on write.
static PUBLISHED: &[(&str, &[Published])] = &[
    (
        super::schema::USER,
        &[
            // Connect cannot rename a user (letter case aside).
            attr("userName").immutable(),
            // `formatted` is left out: Connect keeps the two names only.
            attr("name")
                .subs(&["familyName", "givenName"])
                .required_when_names(),
            // "givenName familyName" unless another was sent (kept in a tag).
            attr("displayName"),
            attr("active"),
            attr("emails").subs(&["value", "type", "primary"]),
            attr("phoneNumbers").subs(&["value", "type"]),
            attr("groups").read_only(),
            attr("entitlements")
                .subs(&["value"])
                .names(Names::SecurityProfiles),
            // One routing profile: `primary` says nothing, so it is not shown.
            attr("roles").subs(&["value"]).names(Names::RoutingProfiles),
            // CreateUser's password on a CONNECT_MANAGED instance (no API
            // changes it later); SAML and directory instances take none.
            attr("password").only_with_password(),
        ],
    ),
    (
        super::schema::ENTERPRISE_USER,
        &[
            attr("department").names(Names::SecurityProfiles),
            attr("manager").subs(&["value"]),
        ],
    ),
    (
        super::schema::CONNECT_USER,
        &[
            attr("securityProfiles").names(Names::SecurityProfiles),
            attr("routingProfile").names(Names::RoutingProfiles),
            // Left out on an instance without hierarchy groups; still read on write.
            attr("hierarchyGroup")
                .names(Names::HierarchyGroups)
                .only_with_names(),
            attr("phoneType"),
            attr("deskPhoneNumber"),
            attr("autoAccept"),
            attr("afterContactWorkTimeLimit"),
            // `proficiencies` is read and written but not published: RFC 7643
            // cannot say which values belong to which predefined attribute.
        ],
    ),
    (
        super::schema::GROUP,
        // Members as RFC 7643 §8.7.1 defines them: no `display`.
        &[
            attr("displayName"),
            attr("members").subs(&["value", "$ref", "type"]),
        ],
    ),
];

/// The canonical values of sub-attributes the service fixes, whatever the instance.
fn fixed_canonical(attr: &str, sub: &str) -> Option<&'static [&'static str]> {
    match (attr, sub) {
        // RFC 7643 §4.1.2's email types; any other is kept as sent too.
        ("emails", "type") => Some(&["work", "home", "other"]),
        ("phoneNumbers", "type") => Some(&["mobile"]),
        _ => None,
    }
}

fn location(base_url: &str, tail: &str) -> String {
    format!("{}/{tail}", base_url.trim_end_matches('/'))
}

/// The ServiceProviderConfig document (RFC 7643 §5).
pub fn service_provider_config(caps: &Capabilities, base_url: &str) -> Value {
    let mut doc = json!({
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": caps.patch},
        "bulk": {"supported": caps.bulk, "maxOperations": 0, "maxPayloadSize": caps.max_payload_bytes},
        "filter": {"supported": true, "maxResults": caps.filter_max_results},
        "changePassword": {"supported": caps.change_password},
        "sort": {"supported": caps.sort},
        "etag": {"supported": caps.etag},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token in the Authorization header (RFC 6750)",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": location(base_url, "ServiceProviderConfig")
        }
    });
    if let (Some(uri), Some(map)) = (&caps.documentation_uri, doc.as_object_mut()) {
        map.insert("documentationUri".into(), Value::from(uri.as_str()));
    }
    doc
}

fn resource_type(
    base_url: &str,
    id: &str,
    endpoint: &str,
    description: &str,
    schema: ResourceSchema,
) -> Value {
    let extensions: Vec<Value> = schema
        .extensions
        .iter()
        .map(|ext| json!({"schema": ext.id, "required": false}))
        .collect();
    json!({
        "schemas": [RESOURCE_TYPE],
        "id": id,
        "name": id,
        "endpoint": endpoint,
        "description": description,
        "schema": schema.core.id,
        "schemaExtensions": extensions,
        "meta": {"resourceType": "ResourceType", "location": location(base_url, &format!("ResourceTypes/{id}"))}
    })
}

/// The ResourceType documents: User (with extensions) and Group (RFC 7643 §6).
pub fn resource_types(base_url: &str) -> Vec<Value> {
    vec![
        resource_type(
            base_url,
            "User",
            "/Users",
            "User Account",
            ResourceSchema::user(),
        ),
        resource_type(
            base_url,
            "Group",
            "/Groups",
            "Group",
            ResourceSchema::group(),
        ),
    ]
}

/// The ResourceType with this id, case-insensitively (RFC 7644 §4 `/ResourceTypes/{id}`).
pub fn resource_type_by_id(base_url: &str, id: &str) -> Option<Value> {
    resource_types(base_url).into_iter().find(|rt| {
        rt["id"]
            .as_str()
            .is_some_and(|rid| rid.eq_ignore_ascii_case(id))
    })
}

fn attribute_json(attr: &Attribute) -> Value {
    let mut map = Map::new();
    map.insert("name".into(), Value::from(attr.name));
    map.insert("type".into(), Value::from(attr.kind.as_str()));
    map.insert("multiValued".into(), Value::Bool(attr.multi_valued));
    map.insert("description".into(), Value::from(attr.description));
    map.insert("required".into(), Value::Bool(attr.required));
    if attr.kind != AttrType::Complex {
        map.insert("caseExact".into(), Value::Bool(attr.case_exact));
    }
    if !attr.canonical_values.is_empty() {
        map.insert(
            "canonicalValues".into(),
            Value::from(attr.canonical_values.to_vec()),
        );
    }
    if attr.kind == AttrType::Reference {
        map.insert(
            "referenceTypes".into(),
            Value::from(attr.reference_types.to_vec()),
        );
    }
    if !attr.sub_attributes.is_empty() {
        map.insert(
            "subAttributes".into(),
            attr.sub_attributes.iter().map(attribute_json).collect(),
        );
    }
    map.insert("mutability".into(), Value::from(attr.mutability.as_str()));
    map.insert("returned".into(), Value::from(attr.returned.as_str()));
    map.insert("uniqueness".into(), Value::from(attr.uniqueness.as_str()));
    Value::Object(map)
}

fn names_of(names: &CanonicalNames, which: Names) -> &[String] {
    match which {
        Names::SecurityProfiles => &names.security_profiles,
        Names::RoutingProfiles => &names.routing_profiles,
        Names::HierarchyGroups => names.hierarchy_groups.as_deref().unwrap_or_default(),
    }
}

/// Whether the instance is known to have none of these names.
fn known_to_have_none(names: &CanonicalNames, which: Names) -> bool {
    match which {
        Names::SecurityProfiles | Names::RoutingProfiles => false,
        Names::HierarchyGroups => names.hierarchy_groups.as_ref().is_some_and(Vec::is_empty),
    }
}

/// A published attribute's JSON: the static definition cut to the published
/// sub-attributes, with the override and the instance's canonical values.
fn published_json(attr: &Attribute, published: &Published, names: &CanonicalNames) -> Value {
    let mut json = attribute_json(attr);
    let canonical = published
        .names
        .map(|w| names_of(names, w))
        .filter(|v| !v.is_empty());
    let Some(map) = json.as_object_mut() else {
        return json;
    };
    if published.read_only {
        map.insert("mutability".into(), Value::from("readOnly"));
    }
    if published.immutable {
        map.insert("mutability".into(), Value::from("immutable"));
    }
    if published.only_with_password {
        map.insert("required".into(), Value::Bool(true));
    }
    let required_subs: &[&str] = if published.required_when_names && names.names_required {
        map.insert("required".into(), Value::Bool(true));
        &["givenName", "familyName"]
    } else {
        &[]
    };
    if let Some(Value::Array(subs)) = map.get_mut("subAttributes") {
        if !published.subs.is_empty() {
            subs.retain(|s| {
                s["name"]
                    .as_str()
                    .is_some_and(|n| published.subs.contains(&n))
            });
        }
        for sub in subs.iter_mut() {
            let name = sub["name"].as_str().unwrap_or_default().to_owned();
            if let Some(fixed) = fixed_canonical(attr.name, &name) {
                sub["canonicalValues"] = Value::from(fixed.to_vec());
            }
            if name == "value"
                && let Some(values) = canonical
            {
                sub["canonicalValues"] = Value::from(values.to_vec());
            }
            if published.read_only {
                sub["mutability"] = Value::from("readOnly");
            }
            if required_subs.contains(&name.as_str()) {
                sub["required"] = Value::Bool(true);
            }
        }
    } else if let Some(values) = canonical {
        map.insert("canonicalValues".into(), Value::from(values.to_vec()));
    }
    json
}

fn schema_json(base_url: &str, schema: &Schema, names: &CanonicalNames) -> Value {
    let published = PUBLISHED
        .iter()
        .find(|(id, _)| *id == schema.id)
        .map_or(&[][..], |(_, p)| *p);
    let attributes: Vec<Value> = published
        .iter()
        .filter(|p| !(p.only_with_names && p.names.is_some_and(|w| known_to_have_none(names, w))))
        .filter(|p| !p.only_with_password || names.password_required)
        .filter_map(|p| {
            let attr = schema.attributes.iter().find(|a| a.name == p.name)?;
            Some(published_json(attr, p, names))
        })
        .collect();
    json!({
        "schemas": [SCHEMA],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": location(base_url, &format!("Schemas/{}", schema.id))}
    })
}

static ALL_SCHEMAS: [&Schema; 4] = [
    &USER_SCHEMA,
    &ENTERPRISE_USER_SCHEMA,
    &CONNECT_USER_SCHEMA,
    &GROUP_SCHEMA,
];

/// The Schema documents for User, Enterprise User, the Connect extension and
/// Group (RFC 7643 §7), with the instance's names as canonical values.
pub fn schemas(base_url: &str, names: &CanonicalNames) -> Vec<Value> {
    ALL_SCHEMAS
        .iter()
        .map(|s| schema_json(base_url, s, names))
        .collect()
}

/// The Schema with this URN, case-insensitively (RFC 7644 §4 `/Schemas/{id}`).
pub fn schema_by_id(base_url: &str, id: &str, names: &CanonicalNames) -> Option<Value> {
    ALL_SCHEMAS
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
        .map(|s| schema_json(base_url, s, names))
}

#[cfg(test)]
mod tests {
    use super::super::schema::{CONNECT_USER, ENTERPRISE_USER, GROUP, USER};
    use super::*;

    fn caps() -> Capabilities {
        Capabilities {
            patch: true,
            bulk: false,
            filter_max_results: 100,
            change_password: false,
            sort: true,
            etag: true,
            max_payload_bytes: 1_048_576,
            documentation_uri: Some("https://example.com/docs".into()),
        }
    }

    #[test]
    fn service_provider_config_has_what_okta_checks() {
        let spc = service_provider_config(&caps(), "https://h/scim/v2/");
        assert_eq!(spc["schemas"][0], SERVICE_PROVIDER_CONFIG);
        assert_eq!(spc["patch"]["supported"], true);
        assert_eq!(spc["bulk"]["supported"], false);
        assert_eq!(spc["bulk"]["maxPayloadSize"], 1_048_576);
        assert_eq!(spc["filter"]["maxResults"], 100);
        assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");
        assert!(
            spc["authenticationSchemes"][0]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
        assert_eq!(
            spc["meta"]["location"],
            "https://h/scim/v2/ServiceProviderConfig"
        );
        assert_eq!(spc["documentationUri"], "https://example.com/docs");
    }

    #[test]
    fn user_resource_type_lists_both_extensions() {
        let user = resource_type_by_id("https://h/scim/v2", "user").unwrap();
        assert_eq!(user["endpoint"], "/Users");
        assert_eq!(user["schema"], USER);
        assert_eq!(
            user["schemaExtensions"],
            json!([{"schema": ENTERPRISE_USER, "required": false}, {"schema": CONNECT_USER, "required": false}])
        );
        assert_eq!(
            user["meta"]["location"],
            "https://h/scim/v2/ResourceTypes/User"
        );
        assert_eq!(resource_types("x").len(), 2);
    }

    #[test]
    fn schemas_include_the_connect_extension_with_its_attributes() {
        let none = CanonicalNames::default();
        let all = schemas("https://h/scim/v2", &none);
        assert_eq!(all.len(), 4);
        let connect = schema_by_id("https://h/scim/v2", CONNECT_USER, &none).unwrap();
        let names: Vec<_> = connect["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].clone())
            .collect();
        assert_eq!(
            names,
            json!([
                "securityProfiles",
                "routingProfile",
                "hierarchyGroup",
                "phoneType",
                "deskPhoneNumber",
                "autoAccept",
                "afterContactWorkTimeLimit"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        let phone = &connect["attributes"][3];
        assert_eq!(
            phone["canonicalValues"],
            json!(["SOFT_PHONE", "DESK_PHONE"])
        );
        let user = schema_by_id("h", USER, &none).unwrap();
        assert_eq!(user["meta"]["location"], format!("h/Schemas/{USER}"));
        assert!(schema_by_id("h", "urn:nope", &none).is_none());
    }

    fn attribute<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
        schema["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
    }

    #[test]
    fn only_attributes_that_round_trip_are_published_with_the_instance_names() {
        let names = CanonicalNames {
            security_profiles: vec!["Agent".into(), "Admin".into()],
            routing_profiles: vec!["Basic Routing Profile".into()],
            hierarchy_groups: Some(vec!["Stores/Retail".into()]),
            names_required: false,
            password_required: false,
        };
        let user = schema_by_id("h", USER, &names).unwrap();
        for gone in [
            "password",
            "title",
            "locale",
            "addresses",
            "ims",
            "x509Certificates",
            "nickName",
        ] {
            assert!(attribute(&user, gone).is_none(), "{gone} is not stored");
        }
        let display = attribute(&user, "displayName").unwrap();
        assert_eq!(display["mutability"], "readWrite", "kept in a tag");
        let emails = attribute(&user, "emails").unwrap();
        let email_type = &emails["subAttributes"].as_array().unwrap()[1];
        assert_eq!(email_type["name"], "type");
        assert_eq!(
            email_type["canonicalValues"],
            json!(["work", "home", "other"])
        );
        let entitlements = attribute(&user, "entitlements").unwrap();
        assert_eq!(entitlements["subAttributes"][0]["name"], "value");
        assert_eq!(
            entitlements["subAttributes"][0]["canonicalValues"],
            json!(["Agent", "Admin"])
        );
        assert_eq!(entitlements["subAttributes"].as_array().unwrap().len(), 1);
        let roles = attribute(&user, "roles").unwrap();
        assert_eq!(
            roles["subAttributes"][0]["canonicalValues"],
            json!(["Basic Routing Profile"])
        );
        let phones = attribute(&user, "phoneNumbers").unwrap();
        assert_eq!(
            phones["subAttributes"][1]["canonicalValues"],
            json!(["mobile"])
        );
        assert_eq!(
            attribute(&user, "groups").unwrap()["mutability"],
            "readOnly"
        );
        let name = attribute(&user, "name").unwrap();
        let subs: Vec<&str> = name["subAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(subs, ["familyName", "givenName"], "formatted is not stored");
        assert_eq!(name["required"], false);
        assert_eq!(
            attribute(&user, "userName").unwrap()["mutability"],
            "immutable",
            "Connect cannot rename a user"
        );
        assert_eq!(roles["subAttributes"].as_array().unwrap().len(), 1);
        let group = schema_by_id("h", GROUP, &names).unwrap();
        let member_subs: Vec<&str> = attribute(&group, "members").unwrap()["subAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(member_subs, ["value", "$ref", "type"]);

        let enterprise = schema_by_id("h", ENTERPRISE_USER, &names).unwrap();
        assert!(attribute(&enterprise, "employeeNumber").is_none());
        assert_eq!(
            attribute(&enterprise, "department").unwrap()["canonicalValues"],
            json!(["Agent", "Admin"])
        );
        let connect = schema_by_id("h", CONNECT_USER, &names).unwrap();
        assert_eq!(
            attribute(&connect, "hierarchyGroup").unwrap()["canonicalValues"],
            json!(["Stores/Retail"])
        );
        assert_eq!(
            attribute(&connect, "routingProfile").unwrap()["canonicalValues"],
            json!(["Basic Routing Profile"])
        );
    }

    #[test]
    fn hierarchy_group_is_left_out_only_where_the_instance_is_known_to_have_none() {
        let published = |hierarchy_groups| {
            let names = CanonicalNames {
                hierarchy_groups,
                ..CanonicalNames::default()
            };
            let connect = schema_by_id("h", CONNECT_USER, &names).unwrap();
            attribute(&connect, "hierarchyGroup").cloned()
        };
        assert!(
            published(Some(Vec::new())).is_none(),
            "no group: nothing round-trips"
        );
        let unknown = published(None).expect("Connect could not tell: published");
        assert!(unknown.get("canonicalValues").is_none(), "{unknown}");
        let known = published(Some(vec!["Seattle".into(), "Seattle/Tier1".into()]));
        assert_eq!(
            known.unwrap()["canonicalValues"],
            json!(["Seattle", "Seattle/Tier1"])
        );
    }

    #[test]
    fn a_saml_or_connect_managed_instance_publishes_the_two_names_as_required() {
        let names = CanonicalNames {
            names_required: true,
            ..CanonicalNames::default()
        };
        let user = schema_by_id("h", USER, &names).unwrap();
        let name = attribute(&user, "name").unwrap();
        assert_eq!(name["required"], true);
        for sub in name["subAttributes"].as_array().unwrap() {
            assert_eq!(sub["required"], true, "{}", sub["name"]);
        }
        let other = schema_by_id("h", USER, &CanonicalNames::default()).unwrap();
        assert_eq!(attribute(&other, "name").unwrap()["required"], false);
    }

    #[test]
    fn password_is_published_required_and_write_only_only_where_create_user_needs_one() {
        let managed = CanonicalNames {
            names_required: true,
            password_required: true,
            ..CanonicalNames::default()
        };
        let user = schema_by_id("h", USER, &managed).unwrap();
        let password = attribute(&user, "password").expect("published on CONNECT_MANAGED");
        assert_eq!(password["required"], true);
        assert_eq!(password["mutability"], "writeOnly");
        assert_eq!(password["returned"], "never");
        let saml = CanonicalNames {
            names_required: true,
            ..CanonicalNames::default()
        };
        let user = schema_by_id("h", USER, &saml).unwrap();
        assert!(attribute(&user, "password").is_none());
    }
}
