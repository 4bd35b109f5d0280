//! Routing proficiencies: the Connect extension's `proficiencies` checked
//! against the instance's predefined attributes, and the diff that makes a
//! user's proficiencies the wanted ones with the fewest calls
//! (Associate/Update/DisassociateUserProficiencies, 20 items a call).
//!
//! They are read and written only when a request names them: a user write
//! that does not mention them costs nothing more.

use crate::connect::{Connect, Proficiency};
use crate::scim::error::ScimError;
use crate::scim::user::ProficiencyValue;

use super::{Error, Provisioning};

/// Most items one Associate/Update/DisassociateUserProficiencies call takes.
const PER_CALL: usize = 20;

/// The writes from the current proficiencies to the wanted ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProficiencyPlan {
    pub associate: Vec<Proficiency>,
    pub update: Vec<Proficiency>,
    pub disassociate: Vec<Proficiency>,
}

impl ProficiencyPlan {
    /// Whether nothing needs writing.
    pub fn is_empty(&self) -> bool {
        self.associate.is_empty() && self.update.is_empty() && self.disassociate.is_empty()
    }
}

fn same_key(a: &Proficiency, b: &Proficiency) -> bool {
    a.attribute_name == b.attribute_name && a.attribute_value == b.attribute_value
}

/// What changes: new ones associated, changed levels updated, the rest
/// disassociated. A value named twice keeps its last level.
pub fn diff(current: &[Proficiency], wanted: &[Proficiency]) -> ProficiencyPlan {
    let mut plan = ProficiencyPlan::default();
    let mut seen: Vec<&Proficiency> = Vec::new();
    for w in wanted.iter().rev() {
        if seen.iter().any(|s| same_key(s, w)) {
            continue;
        }
        seen.push(w);
        match current.iter().find(|c| same_key(c, w)) {
            None => plan.associate.push(w.clone()),
            Some(c) if (c.level - w.level).abs() > f32::EPSILON => plan.update.push(w.clone()),
            Some(_) => {}
        }
    }
    plan.associate.reverse();
    plan.update.reverse();
    plan.disassociate = current
        .iter()
        .filter(|c| !wanted.iter().any(|w| same_key(c, w)))
        .cloned()
        .collect();
    plan
}

/// The SCIM view of Connect proficiencies.
pub fn to_scim(proficiencies: &[Proficiency]) -> Vec<ProficiencyValue> {
    proficiencies
        .iter()
        .map(|p| ProficiencyValue {
            attribute: p.attribute_name.clone(),
            value: p.attribute_value.clone(),
            level: f64::from(p.level),
        })
        .collect()
}

impl Provisioning {
    /// The wanted proficiencies in Connect's terms, each attribute and value
    /// checked against the instance's predefined attributes (one
    /// DescribePredefinedAttribute per attribute when the cache is cold). A
    /// value is matched case-insensitively and takes the predefined spelling;
    /// unknown ones are a 400 naming every one of them.
    pub async fn checked_proficiencies(
        &self,
        connect: &dyn Connect,
        wanted: &[ProficiencyValue],
    ) -> Result<Vec<Proficiency>, Error> {
        let mut out = Vec::with_capacity(wanted.len());
        let mut unknown = Vec::new();
        for w in wanted {
            let values = self
                .cache
                .predefined_attribute_values(connect, &w.attribute)
                .await?;
            let Some(values) = values else {
                unknown.push(format!("attribute '{}'", w.attribute));
                continue;
            };
            match values.iter().find(|v| v.eq_ignore_ascii_case(&w.value)) {
                Some(value) => out.push(Proficiency {
                    attribute_name: w.attribute.clone(),
                    attribute_value: value.clone(),
                    level: w.level as f32,
                }),
                None => unknown.push(format!("value '{}' of '{}'", w.value, w.attribute)),
            }
        }
        if unknown.is_empty() {
            return Ok(out);
        }
        unknown.dedup();
        Err(Error::Scim(ScimError::invalid_value(format!(
            "proficiencies name what the Amazon Connect instance does not define as predefined attributes: {}. \
             Create them in Amazon Connect (Routing, Predefined attributes) or correct the request; nothing was applied",
            unknown.join(", ")
        ))))
    }

    /// Every proficiency of the user (ListUserProficiencies, all pages).
    pub async fn user_proficiencies(
        &self,
        connect: &dyn Connect,
        user_id: &str,
    ) -> Result<Vec<Proficiency>, Error> {
        let mut all = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = connect
                .list_user_proficiencies(user_id, next.as_deref())
                .await?;
            all.extend(page.items);
            match page.next_token {
                Some(token) => next = Some(token),
                None => return Ok(all),
            }
        }
    }

    /// Writes the plan: disassociations first (room for new ones), then
    /// updates, then associations, 20 a call.
    pub async fn write_proficiencies(
        &self,
        connect: &dyn Connect,
        user_id: &str,
        plan: &ProficiencyPlan,
    ) -> Result<(), Error> {
        for chunk in plan.disassociate.chunks(PER_CALL) {
            connect
                .disassociate_user_proficiencies(user_id, chunk)
                .await?;
        }
        for chunk in plan.update.chunks(PER_CALL) {
            connect.update_user_proficiencies(user_id, chunk).await?;
        }
        for chunk in plan.associate.chunks(PER_CALL) {
            connect.associate_user_proficiencies(user_id, chunk).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(attribute: &str, value: &str, level: f32) -> Proficiency {
        Proficiency {
            attribute_name: attribute.into(),
            attribute_value: value.into(),
            level,
        }
    }

    #[test]
    fn the_diff_adds_changes_and_removes_only_what_differs() {
        let current = [p("Language", "English", 4.0), p("Skill", "Billing", 2.0)];
        let wanted = [
            p("Language", "English", 4.0),
            p("Skill", "Billing", 3.0),
            p("Language", "French", 1.0),
        ];
        let plan = diff(&current, &wanted);
        assert_eq!(plan.associate, vec![p("Language", "French", 1.0)]);
        assert_eq!(plan.update, vec![p("Skill", "Billing", 3.0)]);
        assert!(plan.disassociate.is_empty());

        let plan = diff(&current, &[]);
        assert_eq!(plan.disassociate.len(), 2);
        assert!(diff(&current, &current).is_empty());
    }
}
