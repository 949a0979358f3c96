/**
 * A self-signed certificate for `localhost` and 127.0.0.1 (P-256, valid until 2126), for tests
 * that run a TLS server. Made with `openssl req -x509 -newkey ec -pkeyopt
 * ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=localhost -addext
 * subjectAltName=DNS:localhost,IP:127.0.0.1`. The key protects nothing: it exists only here.
 */
export const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQunH//EmtuJDGho5
eYURpDy147JSn/Hao9R+QsJnJgShRANCAATIAokzc6d7/ONwoqPp0iEjTr5CeCa1
8hi96et8YxtqUpdix0Kmo/dRGCYzG43U+JCQerbRgKNvZ3ZazvxPa53A
-----END PRIVATE KEY-----
`;

export const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUGspDGfeCZAGMDNnpWh0QYLiRz4gwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyODEyMDI0NloYDzIxMjYxMTA0
MTIwMjQ2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATIAokzc6d7/ONwoqPp0iEjTr5CeCa18hi96et8YxtqUpdix0Kmo/dR
GCYzG43U+JCQerbRgKNvZ3ZazvxPa53Ao28wbTAdBgNVHQ4EFgQUL39j0G2RDMXA
71YYI+cf6Z6nBTIwHwYDVR0jBBgwFoAUL39j0G2RDMXA71YYI+cf6Z6nBTIwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgfz5212hHL/OPMufaEtfjEV1fIepU0/ths6VPNhlR7hICID00
mrwvhWf7d7QTMCunlebkEz/GPcITB2B+YZdzPSQ9
-----END CERTIFICATE-----
`;
