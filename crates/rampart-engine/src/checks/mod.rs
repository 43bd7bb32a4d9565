//! The checks: one file per module key, each holding its metadata and its code.

use registry::registry;

pub(crate) mod common;
pub(crate) mod passive;
pub(crate) mod registry;
mod run;
pub(crate) mod signatures;
pub(crate) mod xss_confirm;

pub(crate) use run::attack_all;

// The one list of checks, in catalogue order (active first, then passive). Adding a check
// is its file `checks/<key>.rs` plus one line here; see `registry.rs` for the hooks.
registry! {
    sqli: point(attack, 1);
    xss_reflected: point(attack, 0);
    xss_stored: point(attack, 10), resource(plant_headers, 5), finish(finish);
    xss_dom: browser;
    vulnerable_js_library: browser;
    sensitive_web_storage: browser;
    postmessage_origin: browser;
    cmdi: point(attack, 4);
    path_traversal: point(attack, 5);
    remote_file_inclusion: point(attack, 8), oob;
    ssti: point(attack, 2);
    code_injection: point(attack, 3);
    ssrf: point(attack, 9), oob;
    xxe: resource(attack, 3), oob;
    open_redirect: point(attack, 6);
    crlf_injection: point(attack, 7);
    cors: resource(attack, 0);
    http_methods: dir(attack_dir, 2), host(attack_host);
    sensitive_files: dir(attack_dir, 1), file(attack_file);
    directory_listing: dir(attack_dir, 0);
    file_upload: resource(attack, 2);
    csrf: resource(attack, 1);
    weak_credentials: resource(attack, 4);
    access_control: resource(attack, 5);
    csp: passive(inspect);
    x_frame_options: passive(inspect);
    x_content_type_options: passive(inspect);
    hsts: passive(inspect);
    referrer_policy: passive(inspect);
    cookie_flags: passive(inspect);
    version_disclosure: passive(inspect);
    error_disclosure: passive(inspect);
    private_ip_disclosure: passive(inspect);
    password_over_http: passive(inspect);
    password_in_get: passive(inspect);
    password_autocomplete: passive(inspect);
    mixed_content: passive(inspect);
    predictable_session_id: passive(inspect);
    secrets_exposure: passive(inspect);
}
