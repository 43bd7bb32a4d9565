//! Cookies without Secure, HttpOnly or SameSite.

use super::passive::{PHit, Page};
use crate::catalogue::{locs, module_id, OWASP_A05};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "cookie_flags";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Insecure Cookie Attributes",
        description: "<p>A cookie is set without Secure (on HTTPS), HttpOnly or SameSite, exposing it to network attackers, script access or cross-site requests.</p>",
        recommendation: "Set Secure, HttpOnly and SameSite=Lax (or Strict) on session and sensitive cookies.",
        module_type: ModuleType::Passive,
        severity: Severity::Low,
        cwe: 614,
        wasc: Some(15),
        owasp_2021: "A05:2021-Security Misconfiguration",
        cvss_vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N",
        parameter_locations: locs::NONE,
        references: &[
            ("CWE-614: Sensitive Cookie in HTTPS Session Without Secure Attribute", "https://cwe.mitre.org/data/definitions/614.html"),
            ("CWE-1004: Sensitive Cookie Without HttpOnly Flag", "https://cwe.mitre.org/data/definitions/1004.html"),
            ("MDN Set-Cookie", "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie"),
            OWASP_A05,
        ],
        attacks: &[
            AttackMeta {
                id: "COOKIE_01",
                kind: "Missing HttpOnly",
                class: "Misconfiguration",
                description: "Set-Cookie without HttpOnly.",
            },
            AttackMeta {
                id: "COOKIE_02",
                kind: "Missing Secure",
                class: "Misconfiguration",
                description: "Set-Cookie over HTTPS without Secure.",
            },
            AttackMeta {
                id: "COOKIE_03",
                kind: "Missing SameSite",
                class: "Misconfiguration",
                description: "Set-Cookie without SameSite.",
            },
        ],
    }
}

pub(crate) fn inspect(p: &Page<'_>) -> Vec<PHit> {
    let mut out = Vec::new();
    for c in p.resp.headers_named("set-cookie") {
        let name = c.split('=').next().unwrap_or("").trim().to_string();
        let attrs: Vec<String> = c
            .split(';')
            .skip(1)
            .map(|a| a.trim().to_ascii_lowercase())
            .collect();
        let has = |a: &str| {
            attrs
                .iter()
                .any(|x| x == a || x.starts_with(&format!("{a}=")))
        };
        // (attack, flag, CWE) of every missing flag; the finding is the first one's, its
        // proof names them all.
        let missing: Vec<(&'static str, &str, u32)> = [
            ("COOKIE_01", "HttpOnly", 1004, !has("httponly")),
            ("COOKIE_02", "Secure", 614, p.https && !has("secure")),
            ("COOKIE_03", "SameSite", 1275, !has("samesite")),
        ]
        .into_iter()
        .filter(|m| m.3)
        .map(|(a, f, cwe, _)| (a, f, cwe))
        .collect();
        if let Some((attack, _, cwe)) = missing.first() {
            let flags: Vec<&str> = missing.iter().map(|m| m.1).collect();
            let mut h = PHit::page(
                attack,
                format!("cookie {name} set without {}: Set-Cookie: {c}", flags.join(", ")),
                name.clone(),
            );
            h.cwe = Some(*cwe);
            out.push(h);
        }
    }
    // One finding per cookie name per host.
    out.dedup_by(|a, b| a.parameter == b.parameter);
    for h in &mut out {
        h.scope = super::passive::Scope::HostOnce;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::passive::testing::{check, hits, Example, HTML, PAGE};

    #[test]
    fn examples() {
        let table: &[Example] = &[
            (
                "all flags over https",
                "https://a.example/",
                200,
                &[
                    HTML,
                    (
                        "Set-Cookie",
                        "sessionid=3f9a1c; Path=/; Secure; HttpOnly; SameSite=Lax",
                    ),
                ],
                PAGE,
                &[],
            ),
            (
                "flags in other case and order",
                "https://a.example/",
                200,
                &[
                    HTML,
                    (
                        "set-cookie",
                        "JSESSIONID=ABC123; samesite=strict; httponly; secure; path=/",
                    ),
                ],
                PAGE,
                &[],
            ),
            (
                "no HttpOnly",
                "https://a.example/",
                200,
                &[
                    HTML,
                    (
                        "Set-Cookie",
                        "sessionid=3f9a1c; Path=/; Secure; SameSite=Lax",
                    ),
                ],
                PAGE,
                &["COOKIE_01"],
            ),
            (
                "no Secure over https",
                "https://a.example/",
                200,
                &[
                    HTML,
                    (
                        "Set-Cookie",
                        "sessionid=3f9a1c; Path=/; HttpOnly; SameSite=Lax",
                    ),
                ],
                PAGE,
                &["COOKIE_02"],
            ),
            (
                "no Secure over http is not reported",
                "http://a.example/",
                200,
                &[
                    HTML,
                    (
                        "Set-Cookie",
                        "sessionid=3f9a1c; Path=/; HttpOnly; SameSite=Lax",
                    ),
                ],
                PAGE,
                &[],
            ),
            (
                "no SameSite",
                "https://a.example/",
                200,
                &[
                    HTML,
                    ("Set-Cookie", "sessionid=3f9a1c; Path=/; Secure; HttpOnly"),
                ],
                PAGE,
                &["COOKIE_03"],
            ),
            (
                "bare cookie: first missing flag only",
                "https://a.example/",
                200,
                &[HTML, ("Set-Cookie", "PHPSESSID=el4ukv0kqbvoirg7nkp4dncpk3")],
                PAGE,
                &["COOKIE_01"],
            ),
            (
                "HttpOnly in a value is not the flag",
                "http://a.example/",
                200,
                &[HTML, ("Set-Cookie", "note=HttpOnly; SameSite=Lax")],
                PAGE,
                &["COOKIE_01"],
            ),
            ("no cookie", "https://a.example/", 200, &[HTML], PAGE, &[]),
        ];
        check(super::inspect, table);
    }

    #[test]
    fn the_finding_names_the_missing_flags_and_their_weakness() {
        use super::super::passive::testing::phits;
        let h = phits(super::inspect, "https://a.example/", 200, &[("Set-Cookie", "sid=1; Secure")], "");
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].cwe, Some(1004));
        assert!(h[0].proof.contains("without HttpOnly, SameSite"), "{}", h[0].proof);
        let h = phits(super::inspect, "https://a.example/", 200, &[("Set-Cookie", "sid=1; HttpOnly; SameSite=Lax")], "");
        assert_eq!(h[0].cwe, Some(614));
        assert!(h[0].proof.contains("without Secure"), "{}", h[0].proof);
    }

    #[test]
    fn one_finding_per_cookie_name() {
        let h = hits(
            super::inspect,
            "https://a.example/",
            200,
            &[
                ("Set-Cookie", "a=1"),
                ("Set-Cookie", "b=2; HttpOnly; Secure; SameSite=Lax"),
                ("Set-Cookie", "c=3; HttpOnly"),
            ],
            "",
        );
        assert_eq!(
            h,
            vec![
                ("COOKIE_01", "a".to_string()),
                ("COOKIE_02", "c".to_string())
            ]
        );
    }
}
