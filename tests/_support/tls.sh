# shellcheck shell=bash
# Certificates for the TLS tests, made with openssl at test time (nothing secret is committed). Source
# this file (bash); tests/run.sh calls it once and exports the directory as PAYLOCK_TEST_TLS_DIR.
#
#   paylock_tls_certs DIR   writes into DIR:
#     ca.crt/ca.key              the test CA (signs everything below)
#     server.crt/key             for localhost, 127.0.0.1 and ::1 (the harness's TLS port)
#     other.crt/key              for redis.example.com only (a name mismatch on 127.0.0.1)
#     expired.crt/key            for localhost and 127.0.0.1, valid on 2020-01-01 only
#     client.crt/key             a client certificate (mTLS)
#     other-ca.crt/key           a CA that signed nothing here (a wrong cafile)
paylock_tls_certs() {
	local dir=$1
	mkdir -p "$dir/ca.db"
	(
		cd "$dir" || exit 1
		set -e
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 2 \
			-subj "/CN=PayLock test CA" 2>/dev/null
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout other-ca.key -out other-ca.crt -days 2 \
			-subj "/CN=PayLock other CA" 2>/dev/null
		: >ca.db/index.txt
		echo 01 >ca.db/serial
		printf '%s\n' '[ca]' 'default_ca=c' '[c]' 'database=ca.db/index.txt' 'serial=ca.db/serial' \
			'new_certs_dir=ca.db' 'default_md=sha256' 'policy=p' 'copy_extensions=copy' 'unique_subject=no' \
			'[p]' 'commonName=supplied' >ca.cnf
		# leaf NAME CN SAN START END
		leaf() {
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" \
				-addext "subjectAltName=$3" 2>/dev/null
			openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in "$1.csr" -out "$1.crt" \
				-startdate "$4" -enddate "$5" -notext 2>/dev/null
		}
		local from to
		from=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
		to=$(date -u -d '+2 days' +%Y%m%d%H%M%SZ)
		leaf server localhost "DNS:localhost,IP:127.0.0.1,IP:::1" "$from" "$to"
		leaf other redis.example.com "DNS:redis.example.com" "$from" "$to"
		leaf client paylock-client "DNS:paylock-client" "$from" "$to"
		leaf expired localhost "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200102000000Z
		chmod 644 ./*.key
	)
}

# redis-server arguments for a TLS port $1 with the certificates in $2 (clients: optional|yes|no).
paylock_tls_server_args() {
	printf '%s\n' --tls-port "$1" --tls-cert-file "$2/server.crt" --tls-key-file "$2/server.key" \
		--tls-ca-cert-file "$2/ca.crt" --tls-auth-clients "${3:-optional}"
}
