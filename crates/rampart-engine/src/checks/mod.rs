//! The checks: one file per module key, each holding its metadata and its code.

use rampart_domain::catalogue::ModuleMeta;

pub(crate) mod common;
pub(crate) mod passive;
mod run;

pub(crate) use run::attack_all;

pub mod cmdi;
pub mod code_injection;
pub mod cookie_flags;
pub mod cors;
pub mod crlf_injection;
pub mod csp;
pub mod csrf;
pub mod directory_listing;
pub mod error_disclosure;
pub mod file_upload;
pub mod hsts;
pub mod http_methods;
pub mod mixed_content;
pub mod open_redirect;
pub mod password_autocomplete;
pub mod password_in_get;
pub mod password_over_http;
pub mod path_traversal;
pub mod predictable_session_id;
pub mod private_ip_disclosure;
pub mod referrer_policy;
pub mod remote_file_inclusion;
pub mod sensitive_files;
pub mod sqli;
pub mod ssrf;
pub mod ssti;
pub mod version_disclosure;
pub mod x_content_type_options;
pub mod x_frame_options;
pub mod xss_reflected;
pub mod xss_stored;
pub mod xxe;

/// Metadata constructors of every module, active first, in catalogue order.
pub(crate) const META: &[fn() -> ModuleMeta] = &[
    sqli::meta,
    xss_reflected::meta,
    xss_stored::meta,
    cmdi::meta,
    path_traversal::meta,
    remote_file_inclusion::meta,
    ssti::meta,
    code_injection::meta,
    ssrf::meta,
    xxe::meta,
    open_redirect::meta,
    crlf_injection::meta,
    cors::meta,
    http_methods::meta,
    sensitive_files::meta,
    directory_listing::meta,
    file_upload::meta,
    csrf::meta,
    csp::meta,
    x_frame_options::meta,
    x_content_type_options::meta,
    hsts::meta,
    referrer_policy::meta,
    cookie_flags::meta,
    version_disclosure::meta,
    error_disclosure::meta,
    private_ip_disclosure::meta,
    password_over_http::meta,
    password_in_get::meta,
    password_autocomplete::meta,
    mixed_content::meta,
    predictable_session_id::meta,
];
