//! Conformance checks for `TemplateStore`: attack templates and modules.

use super::*;

pub async fn attack_templates_and_modules(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let mut t = template(s, o, "Custom").await;
    assert!(is_conflict(
        s.create_attack_template(
            &AttackTemplate {
                id: AttackTemplateId::new(),
                ..t.clone()
            },
            &[]
        )
        .await
    ));
    assert!(is_not_found(s.get_attack_template(other, t.id).await));
    t.description = Some("mine".into());
    t.attack_prioritization = AttackPrioritization::Randomized;
    s.update_attack_template(&t).await.unwrap();
    assert_eq!(s.get_attack_template(o, t.id).await.unwrap(), t);

    let mut m = AttackModule {
        id: AttackModuleId::new(),
        template: t.id,
        module: ModuleId::new(),
        enabled: true,
        parameter_locations: vec![ParameterLocation::Query, ParameterLocation::Post],
        severity: Severity::High,
        max_findings: 10,
    };
    s.create_attack_module(o, &m).await.unwrap();
    assert_eq!(
        s.list_attack_modules(o, t.id).await.unwrap(),
        vec![m.clone()]
    );
    m.enabled = false;
    m.parameter_locations = vec![];
    m.severity = Severity::Low;
    s.update_attack_module(o, &m).await.unwrap();
    assert_eq!(s.get_attack_module(o, t.id, m.id).await.unwrap(), m);
    assert!(is_not_found(s.get_attack_module(other, t.id, m.id).await));
    s.delete_attack_module(o, t.id, m.id).await.unwrap();
    assert!(is_not_found(s.delete_attack_module(o, t.id, m.id).await));

    let seeded = AttackTemplate {
        id: AttackTemplateId::new(),
        name: "Seeded".into(),
        system_defined: true,
        ..t.clone()
    };
    let mods: Vec<_> = (0..3)
        .map(|_| AttackModule {
            id: AttackModuleId::new(),
            template: seeded.id,
            module: ModuleId::new(),
            ..m.clone()
        })
        .collect();
    s.create_attack_template(&seeded, &mods).await.unwrap();
    assert_eq!(s.list_attack_modules(o, seeded.id).await.unwrap().len(), 3);
    assert_eq!(
        s.list_attack_templates(o, &ListRequest::first(10))
            .await
            .unwrap()
            .total,
        2
    );
    s.delete_attack_template(o, t.id).await.unwrap();
    assert!(is_not_found(s.delete_attack_template(o, t.id).await));
}
