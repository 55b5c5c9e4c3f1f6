//! Over 350 lines: the one catalogue of both languages, kept whole so every text is in one place.
//! Every text of Mijn gegevens, in plain Dutch (B1) and in English: one catalogue, keyed by
//! [`Lang`]. Names and purposes from the register stay as registered; a few pages that only ever
//! appear in Dutch have their texts at the end.

use super::Lang;

/// The texts of the pages in one language.
#[derive(Debug)]
pub(crate) struct Texts {
    pub lang: Lang,
    /// The language's code (BCP 47), and the link to the other one.
    pub code: &'static str,
    pub other_code: &'static str,
    pub other_name: &'static str,
    // Refused actions.
    pub not_allowed: &'static str,
    pub outside_role: &'static str,
    pub own_choice: &'static str,
    pub not_found: &'static str,
    pub not_yours: &'static str,
    pub unknown_organisation: &'static str,
    // Login.
    pub log_in: &'static str,
    pub no_digid: &'static str,
    pub login_title: &'static str,
    pub digid_button: &'static str,
    pub dev_login: &'static str,
    pub login_button: &'static str,
    pub invalid_bsn: &'static str,
    // The start page.
    pub my_data: &'static str,
    pub lapsed: &'static str,
    pub the_person_you_represent: &'static str,
    pub back_to_own: &'static str,
    pub download_all: &'static str,
    pub download_all_what: &'static str,
    pub your_consents: &'static str,
    pub no_consents: &'static str,
    pub shared_heading: &'static str,
    pub nothing_shared: &'static str,
    /// The link to the page of older disclosures, and back to the newest.
    pub older_entries: &'static str,
    pub newest_entries: &'static str,
    pub verified: &'static str,
    pub not_verified: &'static str,
    pub without_consent: &'static str,
    pub entry: &'static str,
    pub download_evidence: &'static str,
    pub rights_heading: &'static str,
    pub log_out: &'static str,
    // A consent.
    pub valid: &'static str,
    pub pending: &'static str,
    pub revoked: &'static str,
    pub expired: &'static str,
    pub superseded: &'static str,
    pub refused: &'static str,
    pub revoke_button: &'static str,
    pub who_may_receive: &'static str,
    pub which_data: &'static str,
    pub what_for: &'static str,
    pub valid_until: &'static str,
    pub revoke_title: &'static str,
    pub revoke_sure: &'static str,
    pub revoke_yes: &'static str,
    pub no_back: &'static str,
    // Refusals.
    pub never: &'static str,
    pub to: &'static str,
    pub for_: &'static str,
    pub you: &'static str,
    pub your_representative: &'static str,
    pub on: &'static str,
    pub by: &'static str,
    pub recorded: &'static str,
    pub never_heading: &'static str,
    pub never_intro: &'static str,
    pub lift_button: &'static str,
    pub lifted_status: &'static str,
    pub lifted: &'static str,
    pub never_share_with: &'static str,
    pub record_refusal: &'static str,
    pub refusal_title: &'static str,
    pub refusal_yes: &'static str,
    // Representations.
    pub a_person: &'static str,
    pub ended: &'static str,
    pub expired_lc: &'static str,
    pub awaiting: &'static str,
    pub not_yet: &'static str,
    pub valid_lc: &'static str,
    pub whom_you_act_for: &'static str,
    pub who_acts_for_you: &'static str,
    pub view_and_manage: &'static str,
    pub confirm: &'static str,
    pub end_it: &'static str,
    pub parent: &'static str,
    pub guardian: &'static str,
    pub bewindvoerder: &'static str,
}

pub(crate) const NL: Texts = Texts {
    lang: Lang::Nl,
    code: "nl",
    other_code: "en",
    other_name: "English",
    not_allowed: "Niet toegestaan",
    outside_role: "Dit valt buiten uw vertegenwoordiging: u treedt voor deze persoon alleen op voor bepaalde gegevens.",
    own_choice: "Deze persoon heeft dit zelf gekozen. Als vertegenwoordiger maakt u dat niet ongedaan.",
    not_found: "Niet gevonden",
    not_yours: "Deze toestemming of weigering bestaat niet of is niet van u.",
    unknown_organisation: "Deze organisatie kennen we niet.",
    log_in: "Inloggen",
    no_digid: "Inloggen met DigiD is nog niet ingericht voor deze omgeving.",
    login_title: "Inloggen bij Mijn gegevens",
    digid_button: "Inloggen met DigiD",
    dev_login: "Ontwikkelomgeving: kies een Amsterdammer door het burgerservicenummer in te vullen. \
        In het echt logt u in met DigiD.",
    login_button: "Inloggen",
    invalid_bsn: "Dit is geen geldig burgerservicenummer (9 cijfers).",
    my_data: "Mijn gegevens",
    lapsed: "U treedt niet meer op voor de persoon die u koos: de vertegenwoordiging is niet meer geldig. U ziet uw eigen gegevens.",
    the_person_you_represent: "de persoon die u vertegenwoordigt",
    back_to_own: "Terug naar mijn eigen gegevens",
    download_all: "Download alles wat over u is vastgelegd",
    download_all_what: " (een JSON-bestand, art. 15 AVG)",
    your_consents: "Uw toestemmingen",
    no_consents: "U heeft geen toestemmingen gegeven.",
    shared_heading: "Wat er over u gedeeld is",
    nothing_shared: "Er zijn nog geen gegevens over u gedeeld.",
    older_entries: "Toon eerdere keren dat gegevens over u gedeeld zijn",
    newest_entries: "Terug naar de nieuwste",
    verified: "Gecontroleerd in het openbare logboek",
    not_verified: "Nog niet gecontroleerd in het openbare logboek",
    without_consent: "Gedeeld zonder uw toestemming",
    entry: "registratie",
    download_evidence: "Download het bewijs",
    rights_heading: "Uw rechten",
    log_out: "Uitloggen",
    valid: "Geldig",
    pending: "Wacht op uw bevestiging",
    revoked: "Ingetrokken",
    expired: "Verlopen",
    superseded: "Vervangen door een nieuwe versie",
    refused: "Geweigerd",
    revoke_button: "Toestemming intrekken",
    who_may_receive: "Wie mag gegevens krijgen:",
    which_data: "Welke gegevens:",
    what_for: "Waarvoor:",
    valid_until: "Geldig tot:",
    revoke_title: "Toestemming intrekken",
    revoke_sure: "Weet u zeker dat u deze toestemming wilt intrekken? Daarna worden er geen gegevens meer op grond van deze toestemming gedeeld. Wat al gedeeld is, blijft zichtbaar in uw overzicht.",
    revoke_yes: "Ja, toestemming intrekken",
    no_back: "Nee, terug naar Mijn gegevens",
    never: "nooit",
    to: "aan",
    for_: "voor",
    you: "u",
    your_representative: "uw vertegenwoordiger",
    on: "op",
    by: "door",
    recorded: "Vastgelegd",
    never_heading: "Nooit delen",
    never_intro: "U kunt vastleggen dat uw gegevens nooit met een organisatie gedeeld \
        mogen worden. Dat gaat voor elke toestemming, ook een die u eerder gaf.",
    lift_button: "Weigering opheffen",
    lifted_status: "Opgeheven",
    lifted: "opgeheven",
    never_share_with: "Nooit delen met",
    record_refusal: "Weigering vastleggen",
    refusal_title: "Weigering vastleggen",
    refusal_yes: "Ja, nooit delen met",
    a_person: "een persoon",
    ended: "beëindigd",
    expired_lc: "verlopen",
    awaiting: "wacht op bevestiging",
    not_yet: "nog niet ingegaan",
    valid_lc: "geldig",
    whom_you_act_for: "Voor wie u optreedt",
    who_acts_for_you: "Wie voor u optreedt",
    view_and_manage: "Bekijk en beheer de gegevens van",
    confirm: "Klopt, bevestigen",
    end_it: "Klopt niet of niet meer: beëindigen",
    parent: "ouder met gezag",
    guardian: "voogd",
    bewindvoerder: "bewindvoerder",
};

pub(crate) const EN: Texts = Texts {
    lang: Lang::En,
    code: "en",
    other_code: "nl",
    other_name: "Nederlands",
    not_allowed: "Not allowed",
    outside_role: "This is outside your representation: you act for this person only on some of their data.",
    own_choice: "This person chose this themselves. As their representative you do not undo it.",
    not_found: "Not found",
    not_yours: "This consent or refusal does not exist or is not yours.",
    unknown_organisation: "We do not know this organisation.",
    log_in: "Log in",
    no_digid: "Logging in with DigiD has not been set up for this environment yet.",
    login_title: "Log in to My data",
    digid_button: "Log in with DigiD (Inloggen)",
    dev_login: "Development environment: pick an Amsterdammer by entering their citizen service number \
        (BSN). For real, you log in with DigiD.",
    login_button: "Log in (Inloggen)",
    invalid_bsn: "This is not a valid citizen service number (9 digits).",
    my_data: "My data",
    lapsed: "You no longer act for the person you chose: the representation is no longer in force. You see your own data.",
    the_person_you_represent: "the person you represent",
    back_to_own: "Back to my own data",
    download_all: "Download everything recorded about you",
    download_all_what: " (a JSON file, art. 15 GDPR)",
    your_consents: "Your consents",
    no_consents: "You have not given any consent.",
    shared_heading: "What was shared about you",
    nothing_shared: "No data about you has been shared yet.",
    older_entries: "Show earlier times data about you was shared",
    newest_entries: "Back to the newest",
    verified: "Verified in the public log",
    not_verified: "Not yet verified in the public log",
    without_consent: "Shared without your consent",
    entry: "entry",
    download_evidence: "Download the evidence",
    rights_heading: "Your rights",
    log_out: "Log out",
    valid: "Valid",
    pending: "Awaiting your confirmation",
    revoked: "Revoked (ingetrokken)",
    expired: "Expired",
    superseded: "Replaced by a new version",
    refused: "Refused",
    revoke_button: "Revoke consent (intrekken)",
    who_may_receive: "Who may receive data:",
    which_data: "Which data:",
    what_for: "What for:",
    valid_until: "Valid until:",
    revoke_title: "Revoke consent",
    revoke_sure: "Are you sure you want to revoke this consent? After that, no data is shared on the strength of it. What was already shared stays visible in your overview.",
    revoke_yes: "Yes, revoke consent (intrekken)",
    no_back: "No, back to My data",
    never: "never",
    to: "to",
    for_: "for",
    you: "you",
    your_representative: "your representative",
    on: "on",
    by: "by",
    recorded: "Recorded",
    never_heading: "Never share",
    never_intro: "You can record that your data may never be shared with an \
        organisation. That overrides any consent, including one you gave before.",
    lift_button: "Lift this refusal",
    lifted_status: "Lifted",
    lifted: "lifted",
    never_share_with: "Never share with",
    record_refusal: "Record the refusal",
    refusal_title: "Record a refusal",
    refusal_yes: "Yes, never share with",
    a_person: "a person",
    ended: "ended",
    expired_lc: "expired",
    awaiting: "awaiting confirmation",
    not_yet: "not yet in force",
    valid_lc: "valid",
    whom_you_act_for: "Whom you act for",
    who_acts_for_you: "Who acts for you",
    view_and_manage: "View and manage the data of",
    confirm: "Correct, confirm",
    end_it: "Not (or no longer) correct: end it",
    parent: "parent with parental authority",
    guardian: "guardian",
    bewindvoerder: "financial administrator (bewindvoerder)",
};

/// The texts that carry a value.
impl Texts {
    pub fn acting(&self, who: &str, role: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "U bekijkt en beheert de gegevens van {who}, als {role}. Wat u hier doet, wordt vastgelegd als gedaan door de vertegenwoordiger."
            ),
            Lang::En => format!(
                "You are viewing and managing the data of {who}, as {role}. What you do here is recorded as done by the representative."
            ),
        }
    }

    pub fn revoked_notice(&self, id: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Uw toestemming {id} is ingetrokken. Vanaf nu worden er geen gegevens meer op grond van deze toestemming gedeeld."
            ),
            Lang::En => format!(
                "Your consent {id} has been revoked. From now on no data is shared on the strength of it."
            ),
        }
    }

    pub fn refused_notice(&self, id: &str, what: &str) -> String {
        match self.lang {
            Lang::Nl => {
                format!("Vastgelegd (weigering {id}): {what}. Dit gaat voor elke toestemming.")
            }
            Lang::En => format!("Recorded (refusal {id}): {what}. This overrides any consent."),
        }
    }

    pub fn lifted_notice(&self, id: &str) -> String {
        match self.lang {
            Lang::Nl => format!("Uw weigering {id} is opgeheven."),
            Lang::En => format!("Your refusal {id} has been lifted."),
        }
    }

    pub fn refusal_sure(&self, name: &str) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Weet u zeker dat uw gegevens nooit met {name} gedeeld mogen worden? Dit gaat voor elke \
                 toestemming. U kunt de weigering later weer opheffen."
            ),
            Lang::En => format!(
                "Are you sure your data may never be shared with {name}? This overrides any consent. \
                 You can lift the refusal later."
            ),
        }
    }

    /// A kind of partner, where a refusal or consent names one.
    pub fn kind(&self, kind: &str) -> String {
        match self.lang {
            Lang::Nl => format!("alle organisaties van de soort {kind}"),
            Lang::En => format!("every organisation of the kind {kind}"),
        }
    }

    /// A representation in which one is the representative.
    pub fn acting_for(&self, role: &str, who: &str, status: &str, until: &str, by: &str) -> String {
        match self.lang {
            Lang::Nl => {
                format!("Als {role} van {who} ({status}), tot {until}; vastgelegd door {by}.")
            }
            Lang::En => format!("As {role} of {who} ({status}), until {until}; recorded by {by}."),
        }
    }

    /// A representation in which one is represented.
    pub fn acted_for(
        &self,
        role: &str,
        status: &str,
        until: &str,
        by: &str,
        basis: &str,
    ) -> String {
        match self.lang {
            Lang::Nl => format!(
                "Een {role} ({status}), tot {until}; vastgelegd door {by}, op grond van: {basis}. Wie dat is, weet die organisatie."
            ),
            Lang::En => format!(
                "A {role} ({status}), until {until}; recorded by {by}, on the basis of: {basis}. That organisation knows who it is."
            ),
        }
    }
}

// Pages in Dutch only.
pub(crate) const BACK_TO_MIJN: &str = "Terug naar Mijn gegevens";
pub(crate) const SLOW_DOWN_TITLE: &str = "Even wachten";
pub(crate) const SLOW_DOWN: &str =
    "U heeft in korte tijd veel pagina's opgevraagd. Wacht even en probeer het opnieuw.";
pub(crate) const UNREADABLE: &str = "Uw gegevens zijn nu niet te lezen.";
pub(crate) const LOGIN_FAILED: &str = "Inloggen niet gelukt";
pub(crate) const NO_BSN: &str = "De inlogdienst gaf geen geldig burgerservicenummer door.";
pub(crate) const FAILED: &str = "Niet gelukt";
pub(crate) const NO_SUCH_ENTRY: &str = "Deze registratie bestaat niet of is niet van u.";
