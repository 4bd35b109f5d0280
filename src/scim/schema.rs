//! Schema URNs and attribute definitions (RFC 7643 §2, §4, §7): the core User,
//! Enterprise User and Group schemas, plus our Amazon Connect extension, as
//! static data used by the filter, PATCH, projection and discovery code.

use super::path::AttrPath;

/// Core User schema URN (RFC 7643 §4.1).
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Enterprise User extension URN (RFC 7643 §4.3).
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Our Amazon Connect User extension URN (RFC 7643 §3.3 schema extension).
pub const CONNECT_USER: &str = "urn:ietf:params:scim:schemas:extension:amazonconnect:2.0:User";
/// Core Group schema URN (RFC 7643 §4.2).
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// ListResponse message URN (RFC 7644 §3.4.2).
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// PatchOp message URN (RFC 7644 §3.5.2).
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Error message URN (RFC 7644 §3.12).
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// ServiceProviderConfig schema URN (RFC 7643 §5).
pub const SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// ResourceType schema URN (RFC 7643 §6).
pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// Schema schema URN (RFC 7643 §7).
pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Attribute data types (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// `string` (RFC 7643 §2.3.1).
    String,
    /// `boolean` (RFC 7643 §2.3.2).
    Boolean,
    /// `decimal` (RFC 7643 §2.3.3).
    Decimal,
    /// `integer` (RFC 7643 §2.3.4).
    Integer,
    /// `dateTime` (RFC 7643 §2.3.5).
    DateTime,
    /// `binary` (RFC 7643 §2.3.6).
    Binary,
    /// `reference` (RFC 7643 §2.3.7).
    Reference,
    /// `complex` (RFC 7643 §2.3.8).
    Complex,
}

impl AttrType {
    /// The RFC 7643 §7 `type` keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Binary => "binary",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
        }
    }
}

/// The `mutability` characteristic (RFC 7643 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Set by the service provider only.
    ReadOnly,
    /// May be updated and read at any time.
    ReadWrite,
    /// May be set once, never changed.
    Immutable,
    /// May be written but never returned.
    WriteOnly,
}

impl Mutability {
    /// The RFC 7643 §7 keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

/// The `returned` characteristic (RFC 7643 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// Always returned, whatever `attributes`/`excludedAttributes` say.
    Always,
    /// Never returned.
    Never,
    /// Returned unless excluded.
    Default,
    /// Returned only when requested.
    Request,
}

impl Returned {
    /// The RFC 7643 §7 keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

/// The `uniqueness` characteristic (RFC 7643 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    /// No uniqueness is enforced.
    None,
    /// Unique within the service provider.
    Server,
    /// Globally unique.
    Global,
}

impl Uniqueness {
    /// The RFC 7643 §7 keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}

/// One attribute definition (RFC 7643 §7 `attributes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute name, in canonical case.
    pub name: &'static str,
    /// The data type.
    pub kind: AttrType,
    /// Whether the attribute holds a list of values.
    pub multi_valued: bool,
    /// Human-readable description.
    pub description: &'static str,
    /// Whether a value is required.
    pub required: bool,
    /// Whether string comparison is case-sensitive.
    pub case_exact: bool,
    /// Who may change the value.
    pub mutability: Mutability,
    /// When the value is returned.
    pub returned: Returned,
    /// How unique the value must be.
    pub uniqueness: Uniqueness,
    /// Sub-attributes of a complex attribute.
    pub sub_attributes: &'static [Attribute],
    /// Suggested values, e.g. `work`, `home`.
    pub canonical_values: &'static [&'static str],
    /// For references, the referenced resource types (RFC 7643 §7 `referenceTypes`).
    pub reference_types: &'static [&'static str],
}

impl Attribute {
    const fn of(name: &'static str, kind: AttrType) -> Attribute {
        Attribute {
            name,
            kind,
            multi_valued: false,
            description: "",
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            sub_attributes: &[],
            canonical_values: &[],
            reference_types: &[],
        }
    }
    const fn text(name: &'static str) -> Attribute {
        Attribute::of(name, AttrType::String)
    }
    const fn boolean(name: &'static str) -> Attribute {
        Attribute::of(name, AttrType::Boolean)
    }
    const fn complex(name: &'static str, subs: &'static [Attribute]) -> Attribute {
        let mut a = Attribute::of(name, AttrType::Complex);
        a.sub_attributes = subs;
        a
    }
    const fn reference(name: &'static str, types: &'static [&'static str]) -> Attribute {
        let mut a = Attribute::of(name, AttrType::Reference);
        a.reference_types = types;
        a
    }
    const fn multi(mut self) -> Self {
        self.multi_valued = true;
        self
    }
    const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    const fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    const fn read_only(mut self) -> Self {
        self.mutability = Mutability::ReadOnly;
        self
    }
    const fn immutable(mut self) -> Self {
        self.mutability = Mutability::Immutable;
        self
    }
    const fn returned(mut self, returned: Returned) -> Self {
        self.returned = returned;
        self
    }
    const fn unique(mut self) -> Self {
        self.uniqueness = Uniqueness::Server;
        self
    }
    const fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical_values = values;
        self
    }
    const fn describe(mut self, description: &'static str) -> Self {
        self.description = description;
        self
    }

    /// The sub-attribute named `name`, compared case-insensitively (RFC 7643 §2.1).
    pub fn sub_attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// A schema definition (RFC 7643 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The schema URN.
    pub id: &'static str,
    /// The schema's human-readable name.
    pub name: &'static str,
    /// The schema's description.
    pub description: &'static str,
    /// The schema's top-level attributes.
    pub attributes: &'static [Attribute],
}

impl Schema {
    /// The top-level attribute named `name`, case-insensitively (RFC 7643 §2.1).
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

const TYPE_VALUE_SUBS_EMAIL: &[Attribute] = &[
    Attribute::text("value").describe("Email address, canonicalized per RFC 5321."),
    Attribute::text("display"),
    Attribute::text("type").canonical(&["work", "home", "other"]),
    Attribute::boolean("primary"),
];
const PHONE_SUBS: &[Attribute] = &[
    Attribute::text("value").describe("Phone number, preferably E.164."),
    Attribute::text("display"),
    Attribute::text("type").canonical(&["work", "home", "mobile", "fax", "pager", "other"]),
    Attribute::boolean("primary"),
];
const IMS_SUBS: &[Attribute] = &[
    Attribute::text("value"),
    Attribute::text("display"),
    Attribute::text("type")
        .canonical(&["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
    Attribute::boolean("primary"),
];
const PHOTO_SUBS: &[Attribute] = &[
    Attribute::reference("value", &["external"]),
    Attribute::text("display"),
    Attribute::text("type").canonical(&["photo", "thumbnail"]),
    Attribute::boolean("primary"),
];
const ADDRESS_SUBS: &[Attribute] = &[
    Attribute::text("formatted"),
    Attribute::text("streetAddress"),
    Attribute::text("locality"),
    Attribute::text("region"),
    Attribute::text("postalCode"),
    Attribute::text("country"),
    Attribute::text("type").canonical(&["work", "home", "other"]),
    Attribute::boolean("primary"),
];
const GROUP_REF_SUBS: &[Attribute] = &[
    Attribute::text("value").read_only(),
    Attribute::reference("$ref", &["User", "Group"]).read_only(),
    Attribute::text("display").read_only(),
    Attribute::text("type")
        .canonical(&["direct", "indirect"])
        .read_only(),
];
const VALUE_SUBS: &[Attribute] = &[
    Attribute::text("value"),
    Attribute::text("display"),
    Attribute::text("type"),
    Attribute::boolean("primary"),
];
const CERT_SUBS: &[Attribute] = &[
    Attribute::of("value", AttrType::Binary),
    Attribute::text("display"),
    Attribute::text("type"),
    Attribute::boolean("primary"),
];
const NAME_SUBS: &[Attribute] = &[
    Attribute::text("formatted"),
    Attribute::text("familyName"),
    Attribute::text("givenName"),
    Attribute::text("middleName"),
    Attribute::text("honorificPrefix"),
    Attribute::text("honorificSuffix"),
];
const META_SUBS: &[Attribute] = &[
    Attribute::text("resourceType").case_exact().read_only(),
    Attribute::of("created", AttrType::DateTime).read_only(),
    Attribute::of("lastModified", AttrType::DateTime).read_only(),
    Attribute::reference("location", &["uri"])
        .case_exact()
        .read_only(),
    Attribute::text("version").case_exact().read_only(),
];

/// The common attributes every resource has (RFC 7643 §3.1), plus `schemas`.
pub static COMMON_ATTRIBUTES: &[Attribute] = &[
    Attribute::text("id")
        .case_exact()
        .read_only()
        .returned(Returned::Always)
        .unique()
        .describe("Unique identifier assigned by the service provider."),
    Attribute::text("externalId")
        .case_exact()
        .describe("Identifier assigned by the provisioning client."),
    Attribute::complex("meta", META_SUBS)
        .read_only()
        .returned(Returned::Always)
        .describe("Resource metadata."),
    Attribute::reference("schemas", &["uri"])
        .multi()
        .case_exact()
        .required()
        .returned(Returned::Always),
];

/// The core User schema (RFC 7643 §4.1, §8.7.1).
pub static USER_SCHEMA: Schema = Schema {
    id: USER,
    name: "User",
    description: "User Account",
    attributes: &[
        Attribute::text("userName")
            .required()
            .unique()
            .describe("Unique identifier for the User, used to sign in."),
        Attribute::complex("name", NAME_SUBS).describe("The components of the user's name."),
        Attribute::text("displayName"),
        Attribute::text("nickName"),
        Attribute::reference("profileUrl", &["external"]),
        Attribute::text("title"),
        Attribute::text("userType"),
        Attribute::text("preferredLanguage"),
        Attribute::text("locale"),
        Attribute::text("timezone"),
        Attribute::boolean("active").describe("The User's administrative status."),
        Attribute {
            mutability: Mutability::WriteOnly,
            returned: Returned::Never,
            ..Attribute::text("password")
        },
        Attribute::complex("emails", TYPE_VALUE_SUBS_EMAIL).multi(),
        Attribute::complex("phoneNumbers", PHONE_SUBS).multi(),
        Attribute::complex("ims", IMS_SUBS).multi(),
        Attribute::complex("photos", PHOTO_SUBS).multi(),
        Attribute::complex("addresses", ADDRESS_SUBS).multi(),
        Attribute::complex("groups", GROUP_REF_SUBS)
            .multi()
            .read_only(),
        Attribute::complex("entitlements", VALUE_SUBS).multi(),
        Attribute::complex("roles", VALUE_SUBS).multi(),
        Attribute::complex("x509Certificates", CERT_SUBS).multi(),
    ],
};

/// The Enterprise User extension (RFC 7643 §4.3, §8.7.1).
pub static ENTERPRISE_USER_SCHEMA: Schema = Schema {
    id: ENTERPRISE_USER,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: &[
        Attribute::text("employeeNumber"),
        Attribute::text("costCenter"),
        Attribute::text("organization"),
        Attribute::text("division"),
        Attribute::text("department"),
        Attribute::complex(
            "manager",
            &[
                Attribute::text("value").describe("The id of the manager."),
                Attribute::reference("$ref", &["User"]),
                Attribute::text("displayName").read_only(),
            ],
        ),
    ],
};

/// Our Amazon Connect extension: the agent settings Connect needs (RFC 7643 §3.3).
pub static CONNECT_USER_SCHEMA: Schema = Schema {
    id: CONNECT_USER,
    name: "AmazonConnectUser",
    description: "Amazon Connect agent settings",
    attributes: &[
        Attribute::text("securityProfiles")
            .multi()
            .describe("Names of the Connect security profiles held by the agent."),
        Attribute::text("routingProfile").describe("Name of the Connect routing profile."),
        Attribute::text("hierarchyGroup")
            .describe("Agent hierarchy group as a name path, e.g. Seattle/Tier1."),
        Attribute::text("phoneType")
            .case_exact()
            .canonical(&["SOFT_PHONE", "DESK_PHONE"]),
        Attribute::text("deskPhoneNumber").describe("Desk phone number in E.164."),
        Attribute::boolean("autoAccept").describe("Whether calls are accepted automatically."),
        Attribute::of("afterContactWorkTimeLimit", AttrType::Integer)
            .describe("After-contact work time limit in seconds."),
        Attribute::complex(
            "proficiencies",
            &[
                Attribute::text("attribute")
                    .case_exact()
                    .describe("A predefined attribute of the instance, e.g. Language."),
                Attribute::text("value")
                    .case_exact()
                    .describe("One of the attribute's values, e.g. English; alone, the string form Language:English=4;Skill:Billing=2."),
                Attribute::of("level", AttrType::Decimal)
                    .describe("The agent's level, 1.0 to 5.0."),
            ],
        )
        .multi()
        .describe("Routing proficiencies (AssociateUserProficiencies and the like)."),
    ],
};

/// The core Group schema (RFC 7643 §4.2, §8.7.1).
pub static GROUP_SCHEMA: Schema = Schema {
    id: GROUP,
    name: "Group",
    description: "Group",
    attributes: &[
        Attribute::text("displayName")
            .required()
            .describe("A human-readable name for the Group."),
        Attribute::complex(
            "members",
            &[
                Attribute::text("value").case_exact().immutable(),
                Attribute::reference("$ref", &["User", "Group"]).immutable(),
                Attribute::text("display"),
                Attribute::text("type")
                    .canonical(&["User", "Group"])
                    .immutable(),
            ],
        )
        .multi()
        .describe("A list of members of the Group."),
    ],
};

/// An attribute found by [`ResourceSchema::resolve`], with where it lives.
#[derive(Debug, Clone, Copy)]
pub struct ResolvedAttribute {
    /// The schema defining the attribute.
    pub schema: &'static Schema,
    /// The top-level attribute.
    pub attribute: &'static Attribute,
    /// The sub-attribute, when the path names one.
    pub sub_attribute: Option<&'static Attribute>,
    /// Whether the attribute lives under the extension's URN key (RFC 7643 §3.3).
    pub in_extension: bool,
}

impl ResolvedAttribute {
    /// The definition the path finally names (sub-attribute if any).
    pub fn leaf(&self) -> &'static Attribute {
        self.sub_attribute.unwrap_or(self.attribute)
    }
}

/// A resource type's schemas: its core schema and extensions (RFC 7643 §6).
#[derive(Debug, Clone, Copy)]
pub struct ResourceSchema {
    /// The core schema (User or Group).
    pub core: &'static Schema,
    /// The schema extensions.
    pub extensions: &'static [&'static Schema],
}

static USER_EXTENSIONS: &[&Schema] = &[&ENTERPRISE_USER_SCHEMA, &CONNECT_USER_SCHEMA];

impl ResourceSchema {
    /// User: core User + Enterprise User + Connect extension (RFC 7643 §4.1, §4.3).
    pub const fn user() -> ResourceSchema {
        ResourceSchema {
            core: &USER_SCHEMA,
            extensions: USER_EXTENSIONS,
        }
    }

    /// Group: core Group, no extensions (RFC 7643 §4.2).
    pub const fn group() -> ResourceSchema {
        ResourceSchema {
            core: &GROUP_SCHEMA,
            extensions: &[],
        }
    }

    /// The extension schema with this URN, case-insensitively.
    pub fn extension(&self, urn: &str) -> Option<&'static Schema> {
        self.extensions
            .iter()
            .copied()
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Whether `urn` names the core schema or one of the extensions.
    pub fn knows_urn(&self, urn: &str) -> bool {
        self.core.id.eq_ignore_ascii_case(urn) || self.extension(urn).is_some()
    }

    fn core_attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.core.attribute(name).or_else(|| {
            COMMON_ATTRIBUTES
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(name))
        })
    }

    /// Finds the attribute a path names and where it lives (RFC 7643 §2.1, §3.3;
    /// RFC 7644 §3.10). Names and URNs are case-insensitive; a name without URN
    /// is looked up in the core schema, then, leniently, in the extensions.
    pub fn resolve(&self, path: &AttrPath) -> Option<ResolvedAttribute> {
        let (schema, attribute, in_extension) = match &path.urn {
            Some(urn) if self.core.id.eq_ignore_ascii_case(urn) => {
                (self.core, self.core_attribute(&path.attr)?, false)
            }
            Some(urn) => {
                let ext = self.extension(urn)?;
                (ext, ext.attribute(&path.attr)?, true)
            }
            None => match self.core_attribute(&path.attr) {
                Some(a) => (self.core, a, false),
                None => self
                    .extensions
                    .iter()
                    .find_map(|s| s.attribute(&path.attr).map(|a| (*s, a)))
                    .map(|(s, a)| (s, a, true))?,
            },
        };
        let sub_attribute = match &path.sub_attr {
            Some(sub) => Some(attribute.sub_attribute(sub)?),
            None => None,
        };
        Some(ResolvedAttribute {
            schema,
            attribute,
            sub_attribute,
            in_extension,
        })
    }

    /// The definition a path names (RFC 7643 §2.1), case-insensitive, URN optional.
    pub fn attribute(&self, path: &AttrPath) -> Option<&'static Attribute> {
        self.resolve(path).map(|r| r.leaf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> AttrPath {
        AttrPath::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn user_name_is_case_insensitive_and_unique() {
        let a = ResourceSchema::user()
            .attribute(&path("USERNAME"))
            .map(|a| a.name);
        assert_eq!(a, Some("userName"));
        let a = ResourceSchema::user().attribute(&path("userName")).copied();
        assert!(a.is_some_and(|a| !a.case_exact && a.uniqueness == Uniqueness::Server));
    }

    #[test]
    fn id_is_read_only_case_exact_and_always_returned() {
        let a = ResourceSchema::group().attribute(&path("id")).copied();
        assert!(a.is_some_and(|a| a.case_exact
            && a.mutability == Mutability::ReadOnly
            && a.returned == Returned::Always));
    }

    #[test]
    fn urn_qualified_and_sub_attributes_resolve() {
        let s = ResourceSchema::user();
        let r = s.resolve(&path(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        ));
        assert!(r.is_some_and(|r| r.in_extension && r.leaf().name == "value"));
        assert_eq!(
            s.attribute(&path("name.GIVENNAME")).map(|a| a.name),
            Some("givenName")
        );
        assert_eq!(
            s.attribute(&path("urn:ietf:params:scim:schemas:core:2.0:User:userName"))
                .map(|a| a.name),
            Some("userName")
        );
        assert!(
            s.attribute(&path("urn:example:unknown:2.0:User:foo"))
                .is_none()
        );
    }

    #[test]
    fn extension_attributes_resolve_without_urn() {
        let s = ResourceSchema::user();
        assert_eq!(
            s.attribute(&path("autoAccept")).map(|a| a.kind),
            Some(AttrType::Boolean)
        );
        assert_eq!(
            s.attribute(&path("manager")).map(|a| a.kind),
            Some(AttrType::Complex)
        );
    }

    #[test]
    fn password_is_write_only_and_never_returned() {
        let a = ResourceSchema::user().attribute(&path("password")).copied();
        assert!(a.is_some_and(
            |a| a.mutability == Mutability::WriteOnly && a.returned == Returned::Never
        ));
    }
}
