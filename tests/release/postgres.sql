--
-- PostgreSQL database dump
--

\restrict Zt60cAAzFfyYhuh2bZZqRfx9xx91vw5BBk0n0IUkW59JLnjny224dETiUhxkdMw

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: _sqlx_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public._sqlx_migrations (
    version bigint NOT NULL,
    description text NOT NULL,
    installed_on timestamp with time zone DEFAULT now() NOT NULL,
    success boolean NOT NULL,
    checksum bytea NOT NULL,
    execution_time bigint NOT NULL
);


--
-- Name: audit_reads; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_reads (
    at timestamp with time zone NOT NULL,
    officer_partner text NOT NULL,
    officer text NOT NULL,
    what text NOT NULL,
    query text NOT NULL,
    results bigint NOT NULL
);


--
-- Name: checkpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.checkpoints (
    size bigint NOT NULL,
    root_hash text NOT NULL,
    note text NOT NULL,
    signed_at timestamp with time zone NOT NULL,
    CONSTRAINT checkpoints_size_check CHECK ((size >= 0))
);


--
-- Name: consent_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consent_entries (
    log_index bigint NOT NULL,
    id text NOT NULL,
    at timestamp with time zone NOT NULL,
    event text NOT NULL,
    actor text NOT NULL,
    consent_id text NOT NULL,
    seq bigint,
    subject text NOT NULL,
    professional text,
    representation_id text,
    salt text NOT NULL,
    record_digest text NOT NULL,
    leaf_hash text NOT NULL,
    CONSTRAINT consent_entries_event_check CHECK ((event = ANY (ARRAY['recorded'::text, 'confirmed'::text, 'revoked'::text, 'amended'::text, 'superseded'::text, 'refused'::text, 'expired'::text]))),
    CONSTRAINT consent_entries_log_index_check CHECK ((log_index >= 0))
);


--
-- Name: consent_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consent_events (
    consent_id text NOT NULL,
    seq integer NOT NULL,
    at timestamp with time zone NOT NULL,
    event text NOT NULL,
    actor text NOT NULL,
    professional text,
    representation_id text,
    CONSTRAINT consent_events_event_check CHECK ((event = ANY (ARRAY['recorded'::text, 'confirmed'::text, 'revoked'::text, 'amended'::text, 'superseded'::text, 'refused'::text])))
);


--
-- Name: consent_history; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.consent_history AS
 SELECT e.consent_id,
    e.at,
    e.event,
    e.actor,
    e.professional,
    e.representation_id,
    l.log_index,
    e.seq AS ord
   FROM (public.consent_events e
     LEFT JOIN public.consent_entries l ON (((l.consent_id = e.consent_id) AND (l.seq = e.seq))))
UNION ALL
 SELECT consent_entries.consent_id,
    consent_entries.at,
    consent_entries.event,
    consent_entries.actor,
    consent_entries.professional,
    consent_entries.representation_id,
    consent_entries.log_index,
    2147483647 AS ord
   FROM public.consent_entries
  WHERE (consent_entries.event = 'expired'::text);


--
-- Name: consents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consents (
    id text NOT NULL,
    subject text NOT NULL,
    recipients text NOT NULL,
    sources text,
    categories text NOT NULL,
    activities text NOT NULL,
    valid_from timestamp with time zone NOT NULL,
    valid_until timestamp with time zone NOT NULL,
    evidence_method text NOT NULL,
    evidence_document_sha256 text NOT NULL,
    evidence_recorded_by text NOT NULL,
    note text,
    recorded_by_partner text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    confirmed_at timestamp with time zone,
    grantor_role text DEFAULT 'self'::text NOT NULL,
    grantor text,
    representation_id text,
    language text DEFAULT 'nl'::text NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    supersedes text,
    superseded_at timestamp with time zone,
    superseded_by text,
    refused_at timestamp with time zone,
    purged_at timestamp with time zone,
    CONSTRAINT consents_grantor_role_check CHECK ((grantor_role = ANY (ARRAY['self'::text, 'parent'::text, 'guardian'::text, 'mentor'::text, 'curator'::text, 'bewindvoerder'::text])))
);


--
-- Name: decisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.decisions (
    id text NOT NULL,
    at timestamp with time zone NOT NULL,
    mode text NOT NULL,
    partner text NOT NULL,
    professional text NOT NULL,
    role text NOT NULL,
    activity text NOT NULL,
    source text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    categories text NOT NULL,
    outcome text NOT NULL,
    violations text NOT NULL,
    consent_id text,
    error text,
    register_version text DEFAULT ''::text NOT NULL,
    CONSTRAINT decisions_outcome_check CHECK ((outcome = ANY (ARRAY['permit'::text, 'deny'::text])))
);


--
-- Name: deferrals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deferrals (
    disclosure_id text NOT NULL,
    until timestamp with time zone NOT NULL,
    reason text NOT NULL,
    set_by_partner text NOT NULL,
    set_by text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    shortened_at timestamp with time zone,
    shortened_by_partner text,
    shortened_by text
);


--
-- Name: disclosures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.disclosures (
    log_index bigint NOT NULL,
    id text NOT NULL,
    at timestamp with time zone NOT NULL,
    mode text NOT NULL,
    source text NOT NULL,
    recipient text NOT NULL,
    subject text NOT NULL,
    activity text NOT NULL,
    legal_basis text NOT NULL,
    decision_id text NOT NULL,
    retain_until timestamp with time zone NOT NULL,
    leaf_hash text NOT NULL,
    key_epoch text NOT NULL,
    record_digest text,
    sealed text,
    legacy text,
    erased_by bigint,
    CONSTRAINT disclosures_log_index_check CHECK ((log_index >= 0))
);


--
-- Name: erasures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.erasures (
    log_index bigint NOT NULL,
    id text NOT NULL,
    at timestamp with time zone NOT NULL,
    reason text NOT NULL,
    entries text NOT NULL,
    leaf_hash text NOT NULL,
    CONSTRAINT erasures_log_index_check CHECK ((log_index >= 0)),
    CONSTRAINT erasures_reason_check CHECK ((reason = ANY (ARRAY['retention'::text, 'request'::text])))
);


--
-- Name: ledger_head; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_head (
    id integer NOT NULL,
    size bigint NOT NULL,
    CONSTRAINT ledger_head_id_check CHECK ((id = 1)),
    CONSTRAINT ledger_head_size_check CHECK ((size >= 0))
);


--
-- Name: notifications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notifications (
    id text NOT NULL,
    partner text NOT NULL,
    consent_id text NOT NULL,
    change text NOT NULL,
    changed_at timestamp with time zone NOT NULL,
    body text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    last_attempt_at timestamp with time zone,
    delivered_at timestamp with time zone,
    last_error text,
    CONSTRAINT notifications_change_check CHECK ((change = ANY (ARRAY['revoked'::text, 'superseded'::text, 'expired'::text]))),
    CONSTRAINT notifications_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'failed'::text])))
);


--
-- Name: notifier_cursor; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notifier_cursor (
    name text NOT NULL,
    until timestamp with time zone NOT NULL
);


--
-- Name: page_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.page_sessions (
    id_digest text NOT NULL,
    area text NOT NULL,
    principal text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone
);


--
-- Name: readiness; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.readiness (
    id integer NOT NULL,
    checked_at timestamp with time zone NOT NULL,
    CONSTRAINT readiness_id_check CHECK ((id = 1))
);


--
-- Name: refusals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.refusals (
    id text NOT NULL,
    subject text NOT NULL,
    recipient text,
    category text,
    activity text,
    note text,
    recorded_by_partner text NOT NULL,
    professional text,
    created_at timestamp with time zone NOT NULL,
    withdrawn_at timestamp with time zone,
    representation_id text,
    withdrawn_by text,
    CONSTRAINT refusals_check CHECK (((recipient IS NOT NULL) OR (category IS NOT NULL) OR (activity IS NOT NULL)))
);


--
-- Name: representation_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.representation_entries (
    log_index bigint NOT NULL,
    id text NOT NULL,
    at timestamp with time zone NOT NULL,
    event text NOT NULL,
    actor text NOT NULL,
    representation_id text NOT NULL,
    subject text NOT NULL,
    professional text,
    salt text NOT NULL,
    record_digest text NOT NULL,
    leaf_hash text NOT NULL,
    CONSTRAINT representation_entries_event_check CHECK ((event = ANY (ARRAY['recorded'::text, 'confirmed'::text, 'ended'::text, 'expired'::text]))),
    CONSTRAINT representation_entries_log_index_check CHECK ((log_index >= 0))
);


--
-- Name: representations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.representations (
    id text NOT NULL,
    representative text NOT NULL,
    represented text NOT NULL,
    role text NOT NULL,
    basis text NOT NULL,
    document_sha256 text NOT NULL,
    label text,
    valid_from timestamp with time zone NOT NULL,
    valid_until timestamp with time zone NOT NULL,
    recorded_by_partner text NOT NULL,
    professional text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    confirmed_at timestamp with time zone,
    confirmed_by text,
    ended_by text,
    CONSTRAINT representations_role_check CHECK ((role = ANY (ARRAY['parent'::text, 'guardian'::text, 'mentor'::text, 'curator'::text, 'bewindvoerder'::text])))
);


--
-- Name: reviews; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reviews (
    id text NOT NULL,
    disclosure_id text NOT NULL,
    at timestamp with time zone NOT NULL,
    outcome text NOT NULL,
    note text NOT NULL,
    officer_partner text NOT NULL,
    officer text NOT NULL,
    CONSTRAINT reviews_outcome_check CHECK ((outcome = ANY (ARRAY['approve'::text, 'flag'::text])))
);


--
-- Name: subject_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.subject_keys (
    subject text NOT NULL,
    epoch text NOT NULL,
    wrapped text NOT NULL,
    kek_id text NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Data for Name: _sqlx_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) FROM stdin;
1	init	2026-12-04 20:18:37.176271+00	t	\\x4dbdcc91a636c24030655c5840afa36f5cc2d9c2782f126cd7930454add86eaf6e912f299cdd39171bcce18b59ad3251	19173538
2	consent trust	2026-12-04 20:18:37.196148+00	t	\\x09b8491bb8f588d72e5609989ddb50fe5e4dba89405730fbf3be6dab04f4c34f63a84dac3123c43f6de14bbd1e60d70d	1586108
3	checkpoints	2026-12-04 20:18:37.198114+00	t	\\x9ad4566d18ad09d0b801cbb41830ff8e1408a21dcd37302c9763037dc469b83b0d61d2f1263c9b6beb5e1cf6d196418b	3469338
4	sealed records	2026-12-04 20:18:37.201974+00	t	\\x20a45f7e249787c8583a70cf203713dd8ec688ea0f2e42a6e7cb3e025aaf0398b0735a7de2d112facb590810182f9711	10899000
5	refusals	2026-12-04 20:18:37.213285+00	t	\\xcd4bdbb9f5fcd7c617155ca3aba3cfb667cb484fd40fd8c543bfb7a47bc2a6e160f9a0433e52d9459e4f158da6633897	4995668
6	consent expiry index	2026-12-04 20:18:37.218673+00	t	\\x3a309a217215720a7371aa6fd96f12c349a55cbb0b46d072d9de7b718f0335cceb44a1af15050500bf8a38cb9454055d	1844452
7	consent changes index	2026-12-04 20:18:37.220883+00	t	\\x9ab5707d904daf9fb46a2b3066521bbeae85b1c31a51e6c6c5a74f4de411accafdbcf40ca8376f9679594226e7476ae4	1812966
8	grantors versions representations	2026-12-04 20:18:37.223059+00	t	\\x75dd451cfe4a8531424c610a4a8181404178a115bb913d286611c5af11a2813233e9dc50ab1378ac1982998825b1bd1b	7503767
9	consent notifications	2026-12-04 20:18:37.230898+00	t	\\xd41d58344dab4a83df4e13d4bb143b161888fefdad7f149f687cd2ea015bce3935297eb227e7fddb6ad3f2a55889e395	9382911
10	consent entries	2026-12-04 20:18:37.24066+00	t	\\xc967f910b2c0714189ef6b1bc2a222fd25a229bc2d09fbd35111ed4d01018f2fe8298980fb1df5cc14fe69701ad6e69e	7561172
11	audit	2026-12-04 20:18:37.248574+00	t	\\x5ede05f3f2e77f14e0e865f6b99c47fac030b35145d953b9b058713475a9160bc4d02d9b8c4b3054f498e612dd1ef39d	8427986
12	decision register version	2026-12-04 20:18:37.257386+00	t	\\x845f6dbdf44f5f6f339a23ebc4a1887487ea30f38931d04dcc67d8e6880b61635f8182a1e3db03f3af4f747203613a32	997203
13	deferrals	2026-12-04 20:18:37.258728+00	t	\\x2e842f3b3c1214d1003201d06d5f3828c71eb1cba6d9abb16b7ab61e389399144108401efa52cbac35e2e165c5b728b8	4751765
14	consent purge	2026-12-04 20:18:37.263842+00	t	\\x4db22d91865d4d417b08996b42914ac432a966242c0c6be9d064b4af8dba9f035a7f584361054c92b3fa1c0fdfaae465	798277
15	representation confirmation	2026-12-04 20:18:37.264988+00	t	\\x8335d8ea7007d8a1bea36c9331327e9bd6631cd66ec47ab15798b065adf34cde3c6a52f29eb559ca72caac0261f1990c	900038
16	refusal withdrawn by	2026-12-04 20:18:37.266251+00	t	\\xeccf010ed8d3a60d985571bdc92fe4eaf99b70d825f4a201ccd0730ed48aa8928ee5000c9727be21c4a9eb98620037a5	862813
17	page sessions	2026-12-04 20:18:37.267473+00	t	\\xefe6083e91eea136b3dd8df7732514cb28930fe72903abc9f6bcc8d3a446b291bcbaf8c221eb3139281797b8355fddec	4420413
18	representation entries	2026-12-04 20:18:37.27224+00	t	\\x6e1cc49ead88e687bad1b4bd7727dcda5f3e633e4aeeba780b3b0cbcaed4b9e0cd98f960921b869802ff1439ef803539	5795017
19	readiness	2026-12-04 20:18:37.278372+00	t	\\x2487362dccc557d7f21d37c7fa010b43d3fe392472c50bfb9185811e9c752ded9f28c5dd0b3e7db444a5c0a22d26576b	2560407
\.


--
-- Data for Name: audit_reads; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.audit_reads (at, officer_partner, officer, what, query, results) FROM stdin;
\.


--
-- Data for Name: checkpoints; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.checkpoints (size, root_hash, note, signed_at) FROM stdin;
0	e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855	privacy-gateway.amsterdam.example/ledger\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— privacy-gateway.amsterdam.example/ledger 0b+pH+PxNb6a0whuqBbxa41iHn9ds2UpM1+gD+fMGZKA4KP+BQ72oZj0xiv7oheK+w4cA8G7QDxZJMDl22QKpkoErgQ=\n	2026-12-04 20:18:37.288168+00
1	4c1df73da17564117c997d7dffbbc54dc194f02814992ed1be2ccae9c5371c1e	privacy-gateway.amsterdam.example/ledger\n1\nTB33PaF1ZBF8mX19/7vFTcGU8CgUmS7RvizK6cU3HB4=\n\n— privacy-gateway.amsterdam.example/ledger 0b+pH3l0Sm/joBhRhzt/NKe+Qt4E0hsGEo0XelWCmohczprKoTniTfb01vmlLn2EcZGFneZY5r8SgbAvoj39VbIfCw4=\n	2026-12-04 20:18:37.336401+00
2	770ec4ae5fb8b3591e760f2830604126bfecee5e7146d4b3b0d61e2fb69d0871	privacy-gateway.amsterdam.example/ledger\n2\ndw7Erl+4s1kedg8oMGBBJr/s7l5xRtSzsNYeL7adCHE=\n\n— privacy-gateway.amsterdam.example/ledger 0b+pH/+gaqDUg0FllwRb8VSkyLD8l1HIeB0/kAXOeC1BYP2cx6LcOvDWdDYwySalipKjx2QTRdJvl1AxnydWNQU/LAo=\n	2026-12-04 20:18:37.362203+00
3	bc407322e6b5626c2297226924c036bcd52bb9c7d066897f071dacad585645d6	privacy-gateway.amsterdam.example/ledger\n3\nvEBzIua1YmwilyJpJMA2vNUrucfQZol/Bx2srVhWRdY=\n\n— privacy-gateway.amsterdam.example/ledger 0b+pH4OESm/Y5kc8QUNhIDe2mYIxetCS20RLQNutm0ghsLpiBR328uEcIbldLIsn28Rm9QTUeouH5AZYrjkUxBij5g0=\n	2026-12-04 20:18:37.37985+00
4	71d52eb02265211b1e61863c0799d3afe8b06a48742b5165ff4f74538c660587	privacy-gateway.amsterdam.example/ledger\n4\ncdUusCJlIRseYYY8B5nTr+iwakh0K1Fl/090U4xmBYc=\n\n— privacy-gateway.amsterdam.example/ledger 0b+pH1ndrHICTfQ54ZNkxl2SUjaZGnotOCIe5k5HcQkEyx+QEt9bBk0867fEqkfT3T2rfkVbdf8qyy+mhQ10ExxOtQ0=\n	2026-12-04 20:18:37.398898+00
\.


--
-- Data for Name: consent_entries; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.consent_entries (log_index, id, at, event, actor, consent_id, seq, subject, professional, representation_id, salt, record_digest, leaf_hash) FROM stdin;
0	01a242b5-7293-738d-ad20-8d7b5531f446	2026-12-04 20:18:37.327725+00	recorded	bt-centrum-west	01a242b5-728f-70da-b539-08d9300fef78	1	9fe0ca4f64566e25ab77460e244d2ac6dd31adf83d7b2ec1b9ef153a4e01629a	prof-1	\N	343cca6d3f4a4043d24d087a101c881f	10a0a5ee6a9ff7fbcd09183f644178f1988c73d15e22cda5ff8ec1203f65cbe1	4c1df73da17564117c997d7dffbbc54dc194f02814992ed1be2ccae9c5371c1e
\.


--
-- Data for Name: consent_events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.consent_events (consent_id, seq, at, event, actor, professional, representation_id) FROM stdin;
01a242b5-728f-70da-b539-08d9300fef78	1	2026-12-04 20:18:37.327725+00	recorded	bt-centrum-west	prof-1	\N
\.


--
-- Data for Name: consents; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.consents (id, subject, recipients, sources, categories, activities, valid_from, valid_until, evidence_method, evidence_document_sha256, evidence_recorded_by, note, recorded_by_partner, created_at, revoked_at, confirmed_at, grantor_role, grantor, representation_id, language, version, supersedes, superseded_at, superseded_by, refused_at, purged_at) FROM stdin;
01a242b5-728f-70da-b539-08d9300fef78	9fe0ca4f64566e25ab77460e244d2ac6dd31adf83d7b2ec1b9ef153a4e01629a	["okt-amsterdam"]	\N	["contact"]	["gezinsondersteuning-ouders"]	2026-12-04 20:18:37.327684+00	2027-12-04 20:18:37.31362+00	signed_form	abababababababababababababababababababababababababababababababab	prof-1	\N	bt-centrum-west	2026-12-04 20:18:37.327725+00	\N	2026-12-04 20:18:37.327725+00	self	\N	\N	nl	1	\N	\N	\N	\N	\N
\.


--
-- Data for Name: decisions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.decisions (id, at, mode, partner, professional, role, activity, source, recipient, subject, categories, outcome, violations, consent_id, error, register_version) FROM stdin;
01a242b5-72a8-7564-8981-a7320367574d	2026-12-04 20:18:37.35287+00	exchange	okt-amsterdam	prof-1	okt-medewerker	gezinsondersteuning-ouders	bt-centrum-west	okt-amsterdam	9fe0ca4f64566e25ab77460e244d2ac6dd31adf83d7b2ec1b9ef153a4e01629a	["contact"]	permit	[]	01a242b5-728f-70da-b539-08d9300fef78	\N	38acbc61e640681f77635af7eb7a17d845435fdd83473b5ef08907f04213c7cb
01a242b5-72be-74eb-9c23-ffa7b5aac008	2026-12-04 20:18:37.374205+00	exchange	okt-amsterdam	prof-1	okt-medewerker	gezinsondersteuning-ouders	bt-centrum-west	okt-amsterdam	9fe0ca4f64566e25ab77460e244d2ac6dd31adf83d7b2ec1b9ef153a4e01629a	["contact"]	permit	[]	01a242b5-728f-70da-b539-08d9300fef78	\N	38acbc61e640681f77635af7eb7a17d845435fdd83473b5ef08907f04213c7cb
01a242b5-72d1-755e-bc4c-4e4c90c1e365	2026-12-04 20:18:37.393999+00	exchange	okt-amsterdam	prof-1	okt-medewerker	gezinsondersteuning-ouders	bt-centrum-west	okt-amsterdam	9fe0ca4f64566e25ab77460e244d2ac6dd31adf83d7b2ec1b9ef153a4e01629a	["contact"]	permit	[]	01a242b5-728f-70da-b539-08d9300fef78	\N	38acbc61e640681f77635af7eb7a17d845435fdd83473b5ef08907f04213c7cb
\.


--
-- Data for Name: deferrals; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.deferrals (disclosure_id, until, reason, set_by_partner, set_by, created_at, shortened_at, shortened_by_partner, shortened_by) FROM stdin;
\.


--
-- Data for Name: disclosures; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.disclosures (log_index, id, at, mode, source, recipient, subject, activity, legal_basis, decision_id, retain_until, leaf_hash, key_epoch, record_digest, sealed, legacy, erased_by) FROM stdin;
1	01a242b5-72ae-74ab-80ad-0edb44d9f775	2026-12-04 20:18:37.35287+00	exchange	bt-centrum-west	okt-amsterdam	9fe0ca4f64566e25ab77460e244d2ac6dd31adf83d7b2ec1b9ef153a4e01629a	gezinsondersteuning-ouders	consent	01a242b5-72a8-7564-8981-a7320367574d	2028-12-03 20:18:37.35287+00	c4c98c31e4e4371dc977ff234bd55d50c8e27ead27659151666d0491e630a226	2028-12	ddb72293045509eb94062be7d195b2cd4caea878c4fdf6df74a6ae1296c1eda5	KNUCLM3fdTj5wye26qfDnJXF2I/jnjxPB0vXL7FGtSItoWOKs9PWo1rVLSqq0DNgU9jZqdVerFP9nGCAqI46kRr4FxvKnA7wHdgeSZ+eTOtMtC+wY+wwidb1nFfZVxtyTun59nBxbGhqdxD/VUJRd2Y1nNiYE08fON600TzCEn24h2uORhc7LKeLTSaKDloz2GWt4/b4c/X8irSamCkYD87TzA8JFJ1voN80R3rUbaEOktZ4AaPuiUbN/j9fdEg5/N9b1dQuQ2HKTWgcmMw92eWEnha2zNB7TvpN99KdpOWhEAdIbw0ClmzHBd9gBzaQiA4zaorhBOmJ8XsJ97MCTRyyMgJolakZi1hWG2pqzyH8Rv6Ud1va01iFqjLmzUp4gWymYYHthqWkkaqde17v3hxoEEEaknuXWB/g9l1MgB1BRA==	\N	\N
2	01a242b5-72c1-7780-8a87-43728f62ff05	2026-12-04 20:18:37.374205+00	exchange	bt-centrum-west	okt-amsterdam	9fe0ca4f64566e25ab77460e244d2ac6dd31adf83d7b2ec1b9ef153a4e01629a	gezinsondersteuning-ouders	consent	01a242b5-72be-74eb-9c23-ffa7b5aac008	2028-12-03 20:18:37.374205+00	b6166f70f94ec281fd72772ef6571e0128d82f1c14a3ecd57fcacb6a6aee1981	2028-12	b8b2e620ec5f516f4073283da632ea760081aec9d05179784d58011e98235239	N/sIAroAKMv0Y+IDqjnewCJq9g+hwwkYLQQNU4kC67T2Yx3ZD1LvfCeENf8ztN4x9IAAb2siAJvmtbcRDpJZfBTEBu+T6CpfhBgMPYQ4PoRTSFqTrFtgfxRlQE8WpVFzSitDoOg+8HwkddBdVUw+HJ1NX9D8mRhV4x+m7swwesyQZ8MIV5MCJKP8siqtquBoVmd5PtQ9EXVnNproqMG+VBRWe0D4n075nQ+dhwI3f/ZlMdWQ7fBILxDyN6cOgu/Ns/cl3HIRi8nk8o1T7bwmLj4lmB9zVNqWNUTqO1s+5jL+SEaXKwqNE/d96585T3yCcQJ2UN2CK1Lh18W5/DNkG33UL20Wird5zMqzKGGlqD//8LH5ZHIo/D2UVYJZ151+jPl0r2KnPJDqFsa20qy5WgVJIoAtZ1/nALC7qY2drI3C1w==	\N	\N
3	01a242b5-72d4-77e7-ba27-9b179ab55ef3	2026-12-04 20:18:37.393999+00	exchange	bt-centrum-west	okt-amsterdam	9fe0ca4f64566e25ab77460e244d2ac6dd31adf83d7b2ec1b9ef153a4e01629a	gezinsondersteuning-ouders	consent	01a242b5-72d1-755e-bc4c-4e4c90c1e365	2028-12-03 20:18:37.393999+00	5d1134eb73765f42ede99f127bad4ee8cd03512daf3300da69e6b859f652550c	2028-12	186b62368faccb3686d849d0ea5bc46e6ae8378c0cb86dcc22182ec3083b672b	b4WFFlsfN8nPNKU3uTW1noghv0ploukIAAWIr4uW4px9zifJHb+NfVQW13xcuCR61mrZCeTVHrOdJeMwTMwRRtWktXPRG6GC7Z8YIB5tRd2gjEHQfx83iCGIUCzWgIRQdHPx0wd6jqozovtv2EdF6YLheRxLtBz4JJvWXRltJb5RT9pT5nuxXEOKv2zCf5GSFb+QY6LnLDdkjQLEw5eTQVi3PIg7dLBBcO/aeAWGGYTEGt1xJabP6wUHExqMfgUKCxWVDMCRYYJjMVnoBctL6FkTjbNWjmeC8ufF4+n3VR6xu0Zay13Vc3awu7ZTNKF/WeO1b+UDA+W0/R7JCddk6DkR3aCCxBpgwvnEbzgbs0U4rBozGTUkIwr2YlKZ460f0jNBYoJ8MU+H8jw7sacXQilpSMgSWSywR5avenPHpg7eMw==	\N	\N
\.


--
-- Data for Name: erasures; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.erasures (log_index, id, at, reason, entries, leaf_hash) FROM stdin;
\.


--
-- Data for Name: ledger_head; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ledger_head (id, size) FROM stdin;
1	4
\.


--
-- Data for Name: notifications; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.notifications (id, partner, consent_id, change, changed_at, body, status, attempts, created_at, next_attempt_at, last_attempt_at, delivered_at, last_error) FROM stdin;
\.


--
-- Data for Name: notifier_cursor; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.notifier_cursor (name, until) FROM stdin;
consents	2026-12-04 20:18:32.290734+00
\.


--
-- Data for Name: page_sessions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.page_sessions (id_digest, area, principal, created_at, last_used_at, expires_at, ended_at) FROM stdin;
\.


--
-- Data for Name: readiness; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.readiness (id, checked_at) FROM stdin;
1	2026-12-04 20:18:37.312084+00
\.


--
-- Data for Name: refusals; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.refusals (id, subject, recipient, category, activity, note, recorded_by_partner, professional, created_at, withdrawn_at, representation_id, withdrawn_by) FROM stdin;
\.


--
-- Data for Name: representation_entries; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.representation_entries (log_index, id, at, event, actor, representation_id, subject, professional, salt, record_digest, leaf_hash) FROM stdin;
\.


--
-- Data for Name: representations; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.representations (id, representative, represented, role, basis, document_sha256, label, valid_from, valid_until, recorded_by_partner, professional, created_at, ended_at, confirmed_at, confirmed_by, ended_by) FROM stdin;
\.


--
-- Data for Name: reviews; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.reviews (id, disclosure_id, at, outcome, note, officer_partner, officer) FROM stdin;
\.


--
-- Data for Name: subject_keys; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.subject_keys (subject, epoch, wrapped, kek_id, created_at) FROM stdin;
9fe0ca4f64566e25ab77460e244d2ac6dd31adf83d7b2ec1b9ef153a4e01629a	2028-12	5pIuMn/81JrVvTHSWFelYbQWEyRsl4GHdJ/TqWuLFxXDsWTctm+7Ov/XCmjOyAYhG6zk9HhCV1f3e10H	4086ff943220c893	2026-12-04 20:18:37.35287+00
\.


--
-- Name: _sqlx_migrations _sqlx_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public._sqlx_migrations
    ADD CONSTRAINT _sqlx_migrations_pkey PRIMARY KEY (version);


--
-- Name: checkpoints checkpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkpoints
    ADD CONSTRAINT checkpoints_pkey PRIMARY KEY (size);


--
-- Name: consent_entries consent_entries_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consent_entries
    ADD CONSTRAINT consent_entries_id_key UNIQUE (id);


--
-- Name: consent_entries consent_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consent_entries
    ADD CONSTRAINT consent_entries_pkey PRIMARY KEY (log_index);


--
-- Name: consent_events consent_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consent_events
    ADD CONSTRAINT consent_events_pkey PRIMARY KEY (consent_id, seq);


--
-- Name: consents consents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consents
    ADD CONSTRAINT consents_pkey PRIMARY KEY (id);


--
-- Name: decisions decisions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.decisions
    ADD CONSTRAINT decisions_pkey PRIMARY KEY (id);


--
-- Name: deferrals deferrals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deferrals
    ADD CONSTRAINT deferrals_pkey PRIMARY KEY (disclosure_id);


--
-- Name: disclosures disclosures_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disclosures
    ADD CONSTRAINT disclosures_id_key UNIQUE (id);


--
-- Name: disclosures disclosures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disclosures
    ADD CONSTRAINT disclosures_pkey PRIMARY KEY (log_index);


--
-- Name: erasures erasures_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.erasures
    ADD CONSTRAINT erasures_id_key UNIQUE (id);


--
-- Name: erasures erasures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.erasures
    ADD CONSTRAINT erasures_pkey PRIMARY KEY (log_index);


--
-- Name: ledger_head ledger_head_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_head
    ADD CONSTRAINT ledger_head_pkey PRIMARY KEY (id);


--
-- Name: notifications notifications_partner_consent_id_change_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_partner_consent_id_change_key UNIQUE (partner, consent_id, change);


--
-- Name: notifications notifications_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);


--
-- Name: notifier_cursor notifier_cursor_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifier_cursor
    ADD CONSTRAINT notifier_cursor_pkey PRIMARY KEY (name);


--
-- Name: page_sessions page_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.page_sessions
    ADD CONSTRAINT page_sessions_pkey PRIMARY KEY (id_digest);


--
-- Name: readiness readiness_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.readiness
    ADD CONSTRAINT readiness_pkey PRIMARY KEY (id);


--
-- Name: refusals refusals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refusals
    ADD CONSTRAINT refusals_pkey PRIMARY KEY (id);


--
-- Name: representation_entries representation_entries_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.representation_entries
    ADD CONSTRAINT representation_entries_id_key UNIQUE (id);


--
-- Name: representation_entries representation_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.representation_entries
    ADD CONSTRAINT representation_entries_pkey PRIMARY KEY (log_index);


--
-- Name: representations representations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.representations
    ADD CONSTRAINT representations_pkey PRIMARY KEY (id);


--
-- Name: reviews reviews_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_pkey PRIMARY KEY (id);


--
-- Name: subject_keys subject_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subject_keys
    ADD CONSTRAINT subject_keys_pkey PRIMARY KEY (subject, epoch);


--
-- Name: audit_reads_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_reads_at ON public.audit_reads USING btree (at);


--
-- Name: consent_entries_event; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX consent_entries_event ON public.consent_entries USING btree (consent_id, seq) WHERE (seq IS NOT NULL);


--
-- Name: consent_entries_expired; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX consent_entries_expired ON public.consent_entries USING btree (consent_id) WHERE (event = 'expired'::text);


--
-- Name: consents_revoked_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX consents_revoked_at ON public.consents USING btree (revoked_at) WHERE (revoked_at IS NOT NULL);


--
-- Name: consents_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX consents_subject ON public.consents USING btree (subject, created_at);


--
-- Name: consents_superseded_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX consents_superseded_at ON public.consents USING btree (superseded_at) WHERE (superseded_at IS NOT NULL);


--
-- Name: consents_valid_until; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX consents_valid_until ON public.consents USING btree (valid_until) WHERE (revoked_at IS NULL);


--
-- Name: decisions_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX decisions_at ON public.decisions USING btree (at);


--
-- Name: decisions_outcome_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX decisions_outcome_at ON public.decisions USING btree (outcome, at);


--
-- Name: decisions_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX decisions_subject ON public.decisions USING btree (subject);


--
-- Name: deferrals_until; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deferrals_until ON public.deferrals USING btree (until);


--
-- Name: disclosures_legacy; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX disclosures_legacy ON public.disclosures USING btree (log_index) WHERE (legacy IS NOT NULL);


--
-- Name: disclosures_other_basis; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX disclosures_other_basis ON public.disclosures USING btree (at) WHERE (legal_basis <> 'consent'::text);


--
-- Name: disclosures_retention; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX disclosures_retention ON public.disclosures USING btree (retain_until) WHERE (erased_by IS NULL);


--
-- Name: disclosures_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX disclosures_subject ON public.disclosures USING btree (subject, log_index);


--
-- Name: notifications_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notifications_due ON public.notifications USING btree (next_attempt_at) WHERE (status = 'pending'::text);


--
-- Name: notifications_partner; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notifications_partner ON public.notifications USING btree (partner, created_at);


--
-- Name: page_sessions_expires; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX page_sessions_expires ON public.page_sessions USING btree (expires_at);


--
-- Name: refusals_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX refusals_subject ON public.refusals USING btree (subject, created_at);


--
-- Name: representation_entries_representation; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX representation_entries_representation ON public.representation_entries USING btree (representation_id);


--
-- Name: representations_representative; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX representations_representative ON public.representations USING btree (representative, created_at);


--
-- Name: representations_represented; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX representations_represented ON public.representations USING btree (represented, created_at);


--
-- Name: reviews_disclosure; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reviews_disclosure ON public.reviews USING btree (disclosure_id, at);


--
-- Name: subject_keys_epoch; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX subject_keys_epoch ON public.subject_keys USING btree (epoch);


--
-- Name: consent_entries consent_entries_consent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consent_entries
    ADD CONSTRAINT consent_entries_consent_id_fkey FOREIGN KEY (consent_id) REFERENCES public.consents(id);


--
-- Name: consent_events consent_events_consent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consent_events
    ADD CONSTRAINT consent_events_consent_id_fkey FOREIGN KEY (consent_id) REFERENCES public.consents(id);


--
-- Name: deferrals deferrals_disclosure_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deferrals
    ADD CONSTRAINT deferrals_disclosure_id_fkey FOREIGN KEY (disclosure_id) REFERENCES public.disclosures(id);


--
-- Name: disclosures disclosures_erased_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disclosures
    ADD CONSTRAINT disclosures_erased_by_fkey FOREIGN KEY (erased_by) REFERENCES public.erasures(log_index);


--
-- Name: representation_entries representation_entries_representation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.representation_entries
    ADD CONSTRAINT representation_entries_representation_id_fkey FOREIGN KEY (representation_id) REFERENCES public.representations(id);


--
-- Name: reviews reviews_disclosure_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_disclosure_id_fkey FOREIGN KEY (disclosure_id) REFERENCES public.disclosures(id);


--
-- PostgreSQL database dump complete
--

\unrestrict Zt60cAAzFfyYhuh2bZZqRfx9xx91vw5BBk0n0IUkW59JLnjny224dETiUhxkdMw

