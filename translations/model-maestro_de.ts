<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>Autostart</name>
    <message>
        <source>Could not change the Run entry in the registry.</source>
        <translation>Der Run-Eintrag in der Registrierung konnte nicht geändert werden.</translation>
    </message>
    <message>
        <source>Could not remove %1.</source>
        <translation>%1 konnte nicht entfernt werden.</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>Maestro::AdminConnection</name>
    <message>
        <source>The gateway&apos;s certificate cannot be used: %1.</source>
        <translation>Das Zertifikat des Gateways ist nicht verwendbar: %1.</translation>
    </message>
    <message>
        <source>The gateway&apos;s certificate is not the one trusted for %1 (it is now SHA-256 %2).</source>
        <translation>Das Zertifikat des Gateways ist nicht das für %1 als vertrauenswürdig gespeicherte (jetzt SHA-256 %2).</translation>
    </message>
    <message>
        <source>The gateway&apos;s certificate is not trusted (SHA-256 %1).</source>
        <translation>Dem Zertifikat des Gateways wird nicht vertraut (SHA-256 %1).</translation>
    </message>
    <message>
        <source>%1 did not answer within %2 seconds.</source>
        <translation>%1 hat nicht innerhalb von %2 Sekunden geantwortet.</translation>
    </message>
    <message>
        <source>The answer from %1 is larger than %2; it was not read.</source>
        <translation>Die Antwort von %1 ist größer als %2; sie wurde nicht gelesen.</translation>
    </message>
    <message>
        <source>The gateway refused the admin token.</source>
        <translation>Das Gateway hat das Admin-Token abgelehnt.</translation>
    </message>
    <message>
        <source>The gateway answered %1 %2.</source>
        <translation>Das Gateway hat mit %1 %2 geantwortet.</translation>
    </message>
    <message>
        <source>Could not connect to %1: connection refused.</source>
        <translation>Keine Verbindung zu %1: Verbindung abgelehnt.</translation>
    </message>
    <message>
        <source>Could not connect to %1: the host is unknown.</source>
        <translation>Keine Verbindung zu %1: der Host ist unbekannt.</translation>
    </message>
    <message>
        <source>%1 closed the connection before it answered.</source>
        <translation>%1 hat die Verbindung vor einer Antwort geschlossen.</translation>
    </message>
    <message>
        <source>Could not connect to %1: no answer in time.</source>
        <translation>Keine Verbindung zu %1: keine Antwort in der vorgesehenen Zeit.</translation>
    </message>
    <message>
        <source>The request to %1 was cancelled.</source>
        <translation>Die Anfrage an %1 wurde abgebrochen.</translation>
    </message>
    <message>
        <source>Could not open a secure connection to %1: %2.</source>
        <translation>Keine sichere Verbindung zu %1 möglich: %2.</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2.</source>
        <translation>Keine Verbindung zu %1: %2.</translation>
    </message>
    <message>
        <source>The answer from %1 is not a Model Maestro gateway&apos;s answer.</source>
        <translation>Die Antwort von %1 ist keine Antwort eines Model-Maestro-Gateways.</translation>
    </message>
    <message>
        <source>%1 did not answer as a Model Maestro gateway.</source>
        <translation>%1 hat nicht wie ein Model-Maestro-Gateway geantwortet.</translation>
    </message>
    <message>
        <source>The gateway runs version %1; this app is %2.</source>
        <translation>Das Gateway läuft in Version %1, diese App ist Version %2.</translation>
    </message>
    <message>
        <source>A line of the answer from %1 is not a JSON object.</source>
        <translation>Eine Zeile der Antwort von %1 ist kein JSON-Objekt.</translation>
    </message>
    <message>
        <source>A line of the answer from %1 is longer than %2.</source>
        <translation>Eine Zeile der Antwort von %1 ist länger als %2.</translation>
    </message>
    <message>
        <source>An event of the live log from %1 is longer than %2.</source>
        <translation>Ein Ereignis des Live-Protokolls von %1 ist länger als %2.</translation>
    </message>
</context>
<context>
    <name>Maestro::ConnectDialog</name>
    <message>
        <source>Connect a client</source>
        <translation>Client verbinden</translation>
    </message>
    <message>
        <source>Paste the user&apos;s token</source>
        <translation>Token des Benutzers einfügen</translation>
    </message>
    <message>
        <source>Claude Code</source>
        <translation>Claude Code</translation>
    </message>
    <message>
        <source>Codex CLI</source>
        <translation>Codex CLI</translation>
    </message>
    <message>
        <source>Cursor</source>
        <translation>Cursor</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continue</translation>
    </message>
    <message>
        <source>Cline</source>
        <translation>Cline</translation>
    </message>
    <message>
        <source>OpenAI SDK (Python)</source>
        <translation>OpenAI-SDK (Python)</translation>
    </message>
    <message>
        <source>Ollama SDK and curl</source>
        <translation>Ollama-SDK und curl</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Run in a terminal, or put into a script:</source>
        <translation>In einem Terminal ausführen oder in ein Skript übernehmen:</translation>
    </message>
    <message>
        <source>Add to the configuration file named in the first line:</source>
        <translation>In die in der ersten Zeile genannte Konfigurationsdatei einfügen:</translation>
    </message>
    <message>
        <source>Enter in the tool&apos;s settings:</source>
        <translation>In den Einstellungen des Werkzeugs eintragen:</translation>
    </message>
</context>
<context>
    <name>Maestro::DashboardPage</name>
    <message>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Requests today</source>
        <translation>Anfragen heute</translation>
    </message>
    <message>
        <source>Tokens today</source>
        <translation>Tokens heute</translation>
    </message>
    <message>
        <source>Active requests</source>
        <translation>Aktive Anfragen</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Top users (24 h)</source>
        <translation>Aktivste Benutzer (24 h)</translation>
    </message>
    <message>
        <source>Top models (24 h)</source>
        <translation>Meistgenutzte Modelle (24 h)</translation>
    </message>
    <message>
        <source>Requests per hour, last 24 hours</source>
        <translation>Anfragen pro Stunde, letzte 24 Stunden</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>No nodes yet</source>
        <translation>Noch keine Knoten</translation>
    </message>
    <message numerus="yes">
        <source>%n down</source>
        <translation>
            <numerusform>%n ausgefallen</numerusform>
            <numerusform>%n ausgefallen</numerusform>
        </translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>in Ordnung</translation>
    </message>
    <message>
        <source>in flight now</source>
        <translation>gerade in Bearbeitung</translation>
    </message>
    <message>
        <source>since midnight</source>
        <translation>seit Mitternacht</translation>
    </message>
    <message>
        <source>prompt and completion</source>
        <translation>Eingabe und Antwort</translation>
    </message>
</context>
<context>
    <name>Maestro::FirstRunWizard</name>
    <message>
        <source>Set up Model Maestro</source>
        <translation>Model Maestro einrichten</translation>
    </message>
    <message>
        <source>Welcome to Model Maestro</source>
        <translation>Willkommen bei Model Maestro</translation>
    </message>
    <message>
        <source>One authenticated gateway for every LLM your team uses.</source>
        <translation>Ein authentifiziertes Gateway für jedes LLM, das Ihr Team nutzt.</translation>
    </message>
    <message>
        <source>The gateway is running at &lt;b&gt;%1&lt;/b&gt;. In the next steps you add the first server that runs models (a &lt;i&gt;node&lt;/i&gt;) and the first user.</source>
        <translation>Das Gateway läuft unter &lt;b&gt;%1&lt;/b&gt;. In den nächsten Schritten fügen Sie den ersten Server hinzu, der Modelle ausführt (einen &lt;i&gt;Knoten&lt;/i&gt;), und den ersten Benutzer.</translation>
    </message>
    <message>
        <source>Scripts and the admin API authenticate with the &lt;b&gt;admin token&lt;/b&gt;. Keep it private; it is stored in the system keychain.</source>
        <translation>Skripte und die Admin-API melden sich mit dem &lt;b&gt;Admin-Token&lt;/b&gt; an. Halten Sie es geheim; es liegt im Schlüsselbund des Systems.</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>&amp;Anzeigen</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Add a first node</source>
        <translation>Ersten Knoten hinzufügen</translation>
    </message>
    <message>
        <source>An Ollama server or an OpenAI-compatible one (vLLM, LM Studio, llama.cpp). You can skip this and add nodes later.</source>
        <translation>Ein Ollama-Server oder ein OpenAI-kompatibler Server (vLLM, LM Studio, llama.cpp). Sie können diesen Schritt überspringen und Knoten später hinzufügen.</translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation>Ollama</translation>
    </message>
    <message>
        <source>OpenAI-compatible</source>
        <translation>OpenAI-kompatibel</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>Verbindung &amp;testen</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Typ:</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API-&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbinde …</translation>
    </message>
    <message>
        <source>Connected. The node answers.</source>
        <translation>Verbunden. Der Knoten antwortet.</translation>
    </message>
    <message>
        <source>No answer: %1</source>
        <translation>Keine Antwort: %1</translation>
    </message>
    <message>
        <source>Create a first user</source>
        <translation>Ersten Benutzer anlegen</translation>
    </message>
    <message>
        <source>Each person or tool gets a user with its own token, model list and limits.</source>
        <translation>Jede Person und jedes Werkzeug erhält einen Benutzer mit eigenem Token, eigener Modellliste und eigenen Limits.</translation>
    </message>
    <message>
        <source>e.g. alice</source>
        <translation>z. B. alice</translation>
    </message>
    <message>
        <source>C&amp;reate user</source>
        <translation>Benutzer &amp;anlegen</translation>
    </message>
    <message>
        <source>The token appears here, once.</source>
        <translation>Das Token erscheint hier, einmalig.</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>Token:</source>
        <translation>Token:</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>%1 may use every model. Copy the token now: it is not shown again.</source>
        <translation>%1 darf jedes Modell nutzen. Kopieren Sie das Token jetzt: Es wird nicht noch einmal angezeigt.</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>The gateway keeps running while this window is closed.</source>
        <translation>Das Gateway läuft weiter, auch wenn dieses Fenster geschlossen ist.</translation>
    </message>
    <message>
        <source>Point a tool at the gateway with the user&apos;s token: Claude Code, Codex, Cursor, Continue, Cline or any Ollama or OpenAI client.</source>
        <translation>Richten Sie ein Werkzeug mit dem Token des Benutzers auf das Gateway: Claude Code, Codex, Cursor, Continue, Cline oder einen beliebigen Ollama- oder OpenAI-Client.</translation>
    </message>
    <message>
        <source>Connect a &amp;client…</source>
        <translation>&amp;Client verbinden …</translation>
    </message>
</context>
<context>
    <name>Maestro::GatewayConnectDialog</name>
    <message>
        <source>&amp;Forget</source>
        <translation>Ver&amp;gessen</translation>
    </message>
    <message>
        <source>&amp;Remember the token in the keychain</source>
        <translation>Token im Schlüsselbund &amp;merken</translation>
    </message>
    <message>
        <source>Trust t&amp;his certificate</source>
        <translation>Diesem Zertifikat ve&amp;rtrauen</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Connect to gateway</source>
        <translation>Mit Gateway verbinden</translation>
    </message>
    <message>
        <source>No recent gateway</source>
        <translation>Kein zuletzt verwendetes Gateway</translation>
    </message>
    <message>
        <source>Remove this gateway from the list, and its token from the keychain</source>
        <translation>Dieses Gateway aus der Liste und sein Token aus dem Schlüsselbund entfernen</translation>
    </message>
    <message>
        <source>e.g. https://192.168.1.10:8443</source>
        <translation>z. B. https://192.168.1.10:8443</translation>
    </message>
    <message>
        <source>The gateway&apos;s admin token</source>
        <translation>Das Admin-Token des Gateways</translation>
    </message>
    <message>
        <source>On the gateway&apos;s machine: model-maestro --print-admin-token</source>
        <translation>Auf dem Rechner des Gateways: model-maestro --print-admin-token</translation>
    </message>
    <message>
        <source>Kept in %1, never in the settings file</source>
        <translation>Liegt in %1, nie in der Einstellungsdatei</translation>
    </message>
    <message>
        <source>Remember this certificate&apos;s fingerprint for this address and connect</source>
        <translation>Den Fingerabdruck dieses Zertifikats für diese Adresse merken und verbinden</translation>
    </message>
    <message>
        <source>Recent &amp;gateways:</source>
        <translation>&amp;Letzte Gateways:</translation>
    </message>
    <message>
        <source>Gateway &amp;URL:</source>
        <translation>Gateway-&amp;URL:</translation>
    </message>
    <message>
        <source>Admin &amp;token:</source>
        <translation>Admin-&amp;Token:</translation>
    </message>
    <message>
        <source>Manage a Model Maestro gateway that runs elsewhere, e.g. on a server of your LAN, through its admin API. It must run the same version as this app.</source>
        <translation>Ein Model-Maestro-Gateway, das anderswo läuft, z. B. auf einem Server in Ihrem LAN, über seine Admin-API verwalten. Es muss dieselbe Version wie diese App haben.</translation>
    </message>
    <message>
        <source>%1 (trusted certificate)</source>
        <translation>%1 (vertrautes Zertifikat)</translation>
    </message>
    <message>
        <source>Type the gateway&apos;s address as http://host:port or https://host:port.</source>
        <translation>Geben Sie die Adresse des Gateways als http://host:port oder https://host:port ein.</translation>
    </message>
    <message>
        <source>Type the gateway&apos;s admin token.</source>
        <translation>Geben Sie das Admin-Token des Gateways ein.</translation>
    </message>
    <message>
        <source>Trust it only if the gateway&apos;s machine shows the same fingerprint (it prints it at start, and openssl x509 -fingerprint -sha256 shows it).</source>
        <translation>Vertrauen Sie ihm nur, wenn der Rechner des Gateways denselben Fingerabdruck zeigt (das Gateway gibt ihn beim Start aus, openssl x509 -fingerprint -sha256 zeigt ihn).</translation>
    </message>
</context>
<context>
    <name>Maestro::GroupDialog</name>
    <message>
        <source>Clients can &amp;request this group</source>
        <translation>Clients können diese Gruppe &amp;anfragen</translation>
    </message>
    <message>
        <source>&amp;List in the model catalog (/api/tags, /v1/models)</source>
        <translation>Im Modell&amp;katalog auflisten (/api/tags, /v1/models)</translation>
    </message>
    <message>
        <source>Edit group %1</source>
        <translation>Gruppe %1 bearbeiten</translation>
    </message>
    <message>
        <source>New model group</source>
        <translation>Neue Modellgruppe</translation>
    </message>
    <message>
        <source>The name clients request like a model, e.g. coding</source>
        <translation>Der Name, den Clients wie ein Modell anfragen, z. B. coding</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>Default (5)</source>
        <translation>Standard (5)</translation>
    </message>
    <message>
        <source>How many other members a failed request may try; 0 uses the default of 5</source>
        <translation>Wie viele andere Mitglieder eine fehlgeschlagene Anfrage versuchen darf; 0 nimmt den Standardwert 5</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>&amp;Beschreibung:</translation>
    </message>
    <message>
        <source>&amp;Strategy:</source>
        <translation>&amp;Strategie:</translation>
    </message>
    <message>
        <source>Max failover &amp;retries:</source>
        <translation>Max. Ausweich&amp;versuche:</translation>
    </message>
    <message>
        <source>Round robin</source>
        <translation>Reihum</translation>
    </message>
    <message>
        <source>Weighted</source>
        <translation>Gewichtet</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Takes turns: each request goes to the next active member.</source>
        <translation>Abwechselnd: Jede Anfrage geht an das nächste aktive Mitglied.</translation>
    </message>
    <message>
        <source>Picks a member at random, in proportion to its weight.</source>
        <translation>Wählt ein Mitglied zufällig, im Verhältnis zu seinem Gewicht.</translation>
    </message>
    <message>
        <source>Always the first member in the list; the others only when it fails.</source>
        <translation>Immer das erste Mitglied der Liste; die anderen nur, wenn es ausfällt.</translation>
    </message>
</context>
<context>
    <name>Maestro::GroupsPage</name>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten …</translation>
    </message>
    <message>
        <source>Disa&amp;ble</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>&amp;Add member…</source>
        <translation>Mitglied &amp;hinzufügen …</translation>
    </message>
    <message>
        <source>Edi&amp;t member…</source>
        <translation>Mitglied bearbei&amp;ten …</translation>
    </message>
    <message>
        <source>&amp;Remove member</source>
        <translation>Mitglied ent&amp;fernen</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>Nach &amp;oben</translation>
    </message>
    <message>
        <source>Move do&amp;wn</source>
        <translation>Nach &amp;unten</translation>
    </message>
    <message>
        <source>&amp;New group…</source>
        <translation>&amp;Neue Gruppe …</translation>
    </message>
    <message>
        <source>Create a name clients request like a model, served by several models (Ctrl+N)</source>
        <translation>Einen Namen anlegen, den Clients wie ein Modell anfragen und den mehrere Modelle bedienen (Strg+N)</translation>
    </message>
    <message>
        <source>Try this member earlier (Ctrl+Up)</source>
        <translation>Dieses Mitglied früher versuchen (Strg+Hoch)</translation>
    </message>
    <message>
        <source>Try this member later (Ctrl+Down)</source>
        <translation>Dieses Mitglied später versuchen (Strg+Runter)</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>Strategie</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Model groups</source>
        <translation>Modellgruppen</translation>
    </message>
    <message>
        <source>Requests try the members from the top down. Drag a member to change the order.</source>
        <translation>Anfragen versuchen die Mitglieder von oben nach unten. Ziehen Sie ein Mitglied, um die Reihenfolge zu ändern.</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Listed</source>
        <translation>Aufgeführt</translation>
    </message>
    <message>
        <source>Hidden</source>
        <translation>Verborgen</translation>
    </message>
    <message>
        <source>Members (select a group)</source>
        <translation>Mitglieder (Gruppe auswählen)</translation>
    </message>
    <message>
        <source>Members of %1 in fallback order</source>
        <translation>Mitglieder von %1 in Ausweichreihenfolge</translation>
    </message>
    <message>
        <source>Ena&amp;ble</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <source>Could not save the group</source>
        <translation>Die Gruppe konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Could not change the group</source>
        <translation>Die Gruppe konnte nicht geändert werden</translation>
    </message>
    <message>
        <source>Delete group</source>
        <translation>Gruppe löschen</translation>
    </message>
    <message>
        <source>Delete the group %1? Clients requesting it get &quot;model not found&quot;; its members stay available under their own names.</source>
        <translation>Die Gruppe %1 löschen? Clients, die sie anfragen, erhalten „Modell nicht gefunden“; ihre Mitglieder bleiben unter ihren eigenen Namen verfügbar.</translation>
    </message>
    <message>
        <source>Could not delete the group</source>
        <translation>Die Gruppe konnte nicht gelöscht werden</translation>
    </message>
    <message>
        <source>Could not save the member</source>
        <translation>Das Mitglied konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation>Mitglied entfernen</translation>
    </message>
    <message>
        <source>Remove %1 from the group %2?</source>
        <translation>%1 aus der Gruppe %2 entfernen?</translation>
    </message>
    <message>
        <source>Could not remove the member</source>
        <translation>Das Mitglied konnte nicht entfernt werden</translation>
    </message>
    <message>
        <source>Could not change the order</source>
        <translation>Die Reihenfolge konnte nicht geändert werden</translation>
    </message>
    <message>
        <source>Catalog</source>
        <translation>Katalog</translation>
    </message>
    <message>
        <source>Listed in the model catalog (/api/tags, /v1/models)</source>
        <translation>Im Modellkatalog aufgeführt (/api/tags, /v1/models)</translation>
    </message>
</context>
<context>
    <name>Maestro::InProcessGatewayClient</name>
    <message>
        <source>this app&apos;s gateway</source>
        <translation>das Gateway dieser App</translation>
    </message>
    <message>
        <source>The gateway is not running</source>
        <translation>Das Gateway läuft nicht</translation>
    </message>
</context>
<context>
    <name>Maestro::LogsPage</name>
    <message>
        <source>All users</source>
        <translation>Alle Benutzer</translation>
    </message>
    <message>
        <source>&amp;Live</source>
        <translation>&amp;Live</translation>
    </message>
    <message>
        <source>Show new requests as they finish</source>
        <translation>Neue Anfragen anzeigen, sobald sie abgeschlossen sind</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <source>&amp;User:</source>
        <translation>&amp;Benutzer:</translation>
    </message>
    <message>
        <source>M&amp;odel:</source>
        <translation>M&amp;odell:</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Endpunkt</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Select a request to see its details.</source>
        <translation>Wählen Sie eine Anfrage, um ihre Details zu sehen.</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Every administrative change, newest first. Secrets are never recorded.</source>
        <translation>Jede administrative Änderung, neueste zuerst. Geheimnisse werden nie aufgezeichnet.</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Änderungsprotokoll</translation>
    </message>
    <message>
        <source>%1 in / %2 out</source>
        <translation>%1 ein / %2 aus</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) in total</source>
        <translation>
            <numerusform>%n Anfrage insgesamt</numerusform>
            <numerusform>%n Anfragen insgesamt</numerusform>
        </translation>
    </message>
    <message>
        <source>Real model</source>
        <translation>Echtes Modell</translation>
    </message>
    <message>
        <source>Streamed</source>
        <translation>Gestreamt</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation>%1 Tokens</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>First byte</source>
        <translation>Erstes Byte</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Beliebig</translation>
    </message>
    <message>
        <source>Any model</source>
        <translation>Alle Modelle</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <source>Any endpoint</source>
        <translation>Alle Endpunkte</translation>
    </message>
    <message>
        <source>Part of the model&apos;s name, in any case</source>
        <translation>Teil des Modellnamens, Groß-/Kleinschreibung egal</translation>
    </message>
    <message>
        <source>A status (404), a class (4xx) or a list of them (401,403,5xx)</source>
        <translation>Ein Status (404), eine Klasse (4xx) oder eine Liste davon (401,403,5xx)</translation>
    </message>
    <message>
        <source>Any client</source>
        <translation>Alle Clients</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>&amp;Status:</translation>
    </message>
    <message>
        <source>&amp;Endpoint:</source>
        <translation>&amp;Endpunkt:</translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation>&amp;Client:</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Von:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>B&amp;is:</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Not a status: use 404, 4xx or a list such as 401,403,5xx</source>
        <translation>Kein Status: 404, 4xx oder eine Liste wie 401,403,5xx verwenden</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Not logged</source>
        <translation>Nicht protokolliert</translation>
    </message>
    <message numerus="yes">
        <source>%n more refusal(s) of this user just before</source>
        <translation>
            <numerusform>%n weitere Ablehnung dieses Benutzers unmittelbar davor</numerusform>
            <numerusform>%n weitere Ablehnungen dieses Benutzers unmittelbar davor</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::MainWindow</name>
    <message>
        <source>Dashboard</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>Protokolle</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation>%1 (Strg+%2)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>&amp;Neu …</translation>
    </message>
    <message>
        <source>&amp;Connect a client…</source>
        <translation>&amp;Client verbinden …</translation>
    </message>
    <message>
        <source>Setup &amp;wizard…</source>
        <translation>Einrichtungs&amp;assistent …</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Model Maestro</source>
        <translation>&amp;Über Model Maestro</translation>
    </message>
    <message>
        <source>About Model Maestro</source>
        <translation>Über Model Maestro</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Model Maestro %1&lt;/h3&gt;&lt;p&gt;One authenticated gateway for every LLM your team uses.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Model Maestro %1&lt;/h3&gt;&lt;p&gt;Ein authentifiziertes Gateway für jedes LLM, das Ihr Team nutzt.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Gateway at %1</source>
        <translation>Gateway unter %1</translation>
    </message>
    <message>
        <source>Gateway stopped</source>
        <translation>Gateway angehalten</translation>
    </message>
    <message numerus="yes">
        <source>%n active request(s)</source>
        <translation>
            <numerusform>%n aktive Anfrage</numerusform>
            <numerusform>%n aktive Anfragen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n node(s) down</source>
        <translation>
            <numerusform>%n Knoten ausgefallen</numerusform>
            <numerusform>%n Knoten ausgefallen</numerusform>
        </translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruppen</translation>
    </message>
    <message>
        <source>Policies</source>
        <translation>Richtlinien</translation>
    </message>
    <message>
        <source>System prompts</source>
        <translation>Systemprompts</translation>
    </message>
    <message>
        <source>Create a user, node, mapping, group, model configuration or system prompt on the current page</source>
        <translation>Auf der aktuellen Seite einen Benutzer, Knoten, eine Zuordnung, Gruppe, Modellkonfiguration oder einen Systemprompt anlegen</translation>
    </message>
    <message>
        <source>Gateway starting or stopping…</source>
        <translation>Gateway wird gestartet oder angehalten …</translation>
    </message>
    <message>
        <source>Model Maestro — %1</source>
        <translation>Model Maestro — %1</translation>
    </message>
    <message>
        <source>Connect to &amp;gateway…</source>
        <translation>Mit &amp;Gateway verbinden …</translation>
    </message>
    <message>
        <source>Manage a gateway that runs on another machine, over its admin API</source>
        <translation>Ein Gateway auf einem anderen Rechner über seine Admin-API verwalten</translation>
    </message>
    <message>
        <source>&amp;This computer&apos;s gateway</source>
        <translation>Gateway &amp;dieses Rechners</translation>
    </message>
    <message>
        <source>%1: not reachable</source>
        <translation>%1: nicht erreichbar</translation>
    </message>
</context>
<context>
    <name>Maestro::MappingDialog</name>
    <message>
        <source>Edit mapping %1</source>
        <translation>Zuordnung %1 bearbeiten</translation>
    </message>
    <message>
        <source>New model mapping</source>
        <translation>Neue Modellzuordnung</translation>
    </message>
    <message>
        <source>The name clients use, e.g. coder</source>
        <translation>Der Name, den Clients verwenden, z. B. coder</translation>
    </message>
    <message>
        <source>Optional, e.g. 32768, 128K or 1M</source>
        <translation>Optional, z. B. 32768, 128K oder 1M</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>&amp;Anzeigename:</translation>
    </message>
    <message>
        <source>&amp;Real model:</source>
        <translation>&amp;Echtes Modell:</translation>
    </message>
    <message>
        <source>&amp;Context length:</source>
        <translation>&amp;Kontextlänge:</translation>
    </message>
    <message>
        <source>C&amp;apabilities:</source>
        <translation>&amp;Fähigkeiten:</translation>
    </message>
    <message>
        <source>Only on &amp;nodes:</source>
        <translation>Nur auf &amp;Knoten:</translation>
    </message>
    <message>
        <source>None checked: any node that serves the real model.</source>
        <translation>Keiner ausgewählt: jeder Knoten, der das echte Modell bereitstellt.</translation>
    </message>
    <message>
        <source>The context length should look like 32768, 128K or 1M.</source>
        <translation>Die Kontextlänge sollte wie 32768, 128K oder 1M aussehen.</translation>
    </message>
</context>
<context>
    <name>Maestro::MemberDialog</name>
    <message>
        <source>&amp;Preferred nodes:</source>
        <translation>&amp;Bevorzugte Knoten:</translation>
    </message>
    <message>
        <source>Checked nodes are tried first, in this order; the member&apos;s other nodes follow.</source>
        <translation>Angehakte Knoten werden zuerst versucht, in dieser Reihenfolge; die übrigen Knoten des Mitglieds folgen.</translation>
    </message>
    <message>
        <source>&amp;vision (images)</source>
        <translation>&amp;vision (Bilder)</translation>
    </message>
    <message>
        <source>&amp;tools (function calls)</source>
        <translation>&amp;tools (Funktionsaufrufe)</translation>
    </message>
    <message>
        <source>&amp;embedding</source>
        <translation>&amp;embedding</translation>
    </message>
    <message>
        <source>A&amp;ctive</source>
        <translation>A&amp;ktiv</translation>
    </message>
    <message>
        <source>&amp;Long-context fallback</source>
        <translation>Ausweichen bei &amp;langem Kontext</translation>
    </message>
    <message>
        <source>Edit member %1 of %2</source>
        <translation>Mitglied %1 von %2 bearbeiten</translation>
    </message>
    <message>
        <source>Add a member to %1</source>
        <translation>Mitglied zu %1 hinzufügen</translation>
    </message>
    <message>
        <source>A display name or a real model name</source>
        <translation>Ein Anzeigename oder ein echter Modellname</translation>
    </message>
    <message>
        <source>Share of requests under the weighted strategy</source>
        <translation>Anteil der Anfragen bei der gewichteten Strategie</translation>
    </message>
    <message>
        <source>Other tags, separated by commas</source>
        <translation>Weitere Tags, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>Takes requests the other members refuse as too long</source>
        <translation>Übernimmt Anfragen, die die anderen Mitglieder als zu lang ablehnen</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <source>&amp;Weight:</source>
        <translation>&amp;Gewicht:</translation>
    </message>
    <message>
        <source>Capability tags:</source>
        <translation>Fähigkeits-Tags:</translation>
    </message>
    <message>
        <source>&amp;Other tags:</source>
        <translation>&amp;Weitere Tags:</translation>
    </message>
    <message>
        <source>Requests with images or tools go to members tagged vision or tools first.</source>
        <translation>Anfragen mit Bildern oder Tools gehen zuerst an Mitglieder mit den Tags vision oder tools.</translation>
    </message>
    <message>
        <source>A long-context fallback takes over when another member refuses a request as too long.</source>
        <translation>Ein Ausweichmitglied für langen Kontext übernimmt, wenn ein anderes Mitglied eine Anfrage als zu lang ablehnt.</translation>
    </message>
</context>
<context>
    <name>Maestro::MemberModel</name>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Takes requests the other members refuse as too long</source>
        <translation>Übernimmt Anfragen, die die anderen Mitglieder als zu lang ablehnen</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <source>Capability tags</source>
        <translation>Fähigkeits-Tags</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Long context</source>
        <translation>Langer Kontext</translation>
    </message>
    <message>
        <source>Long-context fallback: takes requests the other members refuse as too long</source>
        <translation>Ausweichen bei langem Kontext: übernimmt Anfragen, die die anderen Mitglieder als zu lang ablehnen</translation>
    </message>
    <message>
        <source>Fallback</source>
        <translation>Ausweichen</translation>
    </message>
</context>
<context>
    <name>Maestro::ModelConfigDialog</name>
    <message>
        <source>&amp;Under maintenance: refuse requests</source>
        <translation>&amp;Wartung: Anfragen ablehnen</translation>
    </message>
    <message>
        <source>&amp;Restrict tools</source>
        <translation>Werkzeuge &amp;einschränken</translation>
    </message>
    <message>
        <source>Edit configuration %1</source>
        <translation>Konfiguration %1 bearbeiten</translation>
    </message>
    <message>
        <source>New model configuration</source>
        <translation>Neue Modellkonfiguration</translation>
    </message>
    <message>
        <source>e.g. llama3.2:latest or qwen*</source>
        <translation>z. B. llama3.2:latest oder qwen*</translation>
    </message>
    <message>
        <source>Optional, e.g. Back at 14:00</source>
        <translation>Optional, z. B. Ab 14:00 wieder da</translation>
    </message>
    <message>
        <source>Tool names, separated by commas</source>
        <translation>Werkzeugnamen, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>e.g. reasoning_effort, parallel_tool_calls</source>
        <translation>z. B. reasoning_effort, parallel_tool_calls</translation>
    </message>
    <message>
        <source>Not set</source>
        <translation>Nicht gesetzt</translation>
    </message>
    <message>
        <source>Context length (Ollama num_ctx) when the client gives none: 32768, 32K or 1M</source>
        <translation>Kontextlänge (Ollama num_ctx), wenn der Client keine angibt: 32768, 32K oder 1M</translation>
    </message>
    <message>
        <source>Largest context length (Ollama num_ctx) a client may ask for: 32768, 32K or 1M</source>
        <translation>Größte Kontextlänge (Ollama num_ctx), die ein Client anfordern darf: 32768, 32K oder 1M</translation>
    </message>
    <message>
        <source>No tool sets yet</source>
        <translation>Noch keine Werkzeugsätze</translation>
    </message>
    <message>
        <source>A configuration keeps its pattern; create a new one for another.</source>
        <translation>Eine Konfiguration behält ihr Muster; für ein anderes eine neue anlegen.</translation>
    </message>
    <message>
        <source>&amp;Model pattern:</source>
        <translation>&amp;Modellmuster:</translation>
    </message>
    <message>
        <source>An exact name, or a prefix ending with *</source>
        <translation>Ein exakter Name oder ein Präfix, das mit * endet</translation>
    </message>
    <message>
        <source>Maintenance messa&amp;ge:</source>
        <translation>Wartungs&amp;hinweis:</translation>
    </message>
    <message>
        <source>&amp;Allowed tools:</source>
        <translation>Erla&amp;ubte Werkzeuge:</translation>
    </message>
    <message>
        <source>Tool &amp;sets:</source>
        <translation>Werkzeug&amp;sätze:</translation>
    </message>
    <message>
        <source>When tools are restricted, only the allowed tools and those of the checked sets reach the model.</source>
        <translation>Sind Werkzeuge eingeschränkt, erreichen nur die erlaubten Werkzeuge und die der angehakten Sätze das Modell.</translation>
    </message>
    <message>
        <source>S&amp;tripped parameters:</source>
        <translation>Ent&amp;fernte Parameter:</translation>
    </message>
    <message>
        <source>Request parameters removed before the request reaches the model, separated by commas.</source>
        <translation>Anfrageparameter, die entfernt werden, bevor die Anfrage das Modell erreicht, durch Kommas getrennt.</translation>
    </message>
    <message>
        <source>&amp;Default context:</source>
        <translation>Standard&amp;kontext:</translation>
    </message>
    <message>
        <source>Ma&amp;ximum context:</source>
        <translation>Ma&amp;ximaler Kontext:</translation>
    </message>
    <message>
        <source>There is a configuration for %1 already; edit that one instead.</source>
        <translation>Für %1 gibt es bereits eine Konfiguration; bitte diese bearbeiten.</translation>
    </message>
    <message>
        <source>A pattern of * alone would match every model; name a prefix before it.</source>
        <translation>Ein Muster aus nur * träfe jedes Modell; davor ein Präfix angeben.</translation>
    </message>
    <message>
        <source>The default context is not a length (32768, 32K or 1M).</source>
        <translation>Der Standardkontext ist keine Länge (32768, 32K oder 1M).</translation>
    </message>
    <message>
        <source>The maximum context is not a length (32768, 32K or 1M).</source>
        <translation>Der maximale Kontext ist keine Länge (32768, 32K oder 1M).</translation>
    </message>
    <message>
        <source>The default context is larger than the maximum.</source>
        <translation>Der Standardkontext ist größer als das Maximum.</translation>
    </message>
    <message>
        <source>Re&amp;quests per minute:</source>
        <translation>A&amp;nfragen pro Minute:</translation>
    </message>
    <message>
        <source>Tokens per m&amp;inute:</source>
        <translation>Tokens pro M&amp;inute:</translation>
    </message>
    <message>
        <source>For all users together, in any 60 seconds.</source>
        <translation>Für alle Benutzer zusammen, in beliebigen 60 Sekunden.</translation>
    </message>
    <message>
        <source>&amp;Keep &lt;think&gt; tags in answers</source>
        <translation>&lt;think&gt;-Tags in Antworten &amp;behalten</translation>
    </message>
    <message>
        <source>Reasoning the model writes between &lt;think&gt; and &lt;/think&gt; normally reaches each client in its own reasoning field; checked, the text is relayed as written.</source>
        <translation>Reasoning, das das Modell zwischen &lt;think&gt; und &lt;/think&gt; schreibt, erreicht jeden Client normalerweise in dessen eigenem Reasoning-Feld; angehakt wird der Text unverändert weitergegeben.</translation>
    </message>
</context>
<context>
    <name>Maestro::ModelsPage</name>
    <message>
        <source>&amp;Map to a display name…</source>
        <translation>Einem Anzeigenamen &amp;zuordnen …</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten …</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>Node / model</source>
        <translation>Knoten / Modell</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Mapped as</source>
        <translation>Zugeordnet als</translation>
    </message>
    <message>
        <source>Discovered on nodes</source>
        <translation>Auf Knoten gefunden</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Anzeigename</translation>
    </message>
    <message>
        <source>Real model</source>
        <translation>Echtes Modell</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>Capabilities</source>
        <translation>Fähigkeiten</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>&amp;New mapping…</source>
        <translation>&amp;Neue Zuordnung …</translation>
    </message>
    <message>
        <source>Give a real model a name clients use (Ctrl+N)</source>
        <translation>Einem echten Modell einen Namen für Clients geben (Strg+N)</translation>
    </message>
    <message>
        <source>Display names</source>
        <translation>Anzeigenamen</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s)</source>
        <translation>
            <numerusform>%n Modell</numerusform>
            <numerusform>%n Modelle</numerusform>
        </translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Could not save the mapping</source>
        <translation>Die Zuordnung konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Delete mapping</source>
        <translation>Zuordnung löschen</translation>
    </message>
    <message>
        <source>Delete the display name %1? Clients using it get &quot;model not found&quot;.</source>
        <translation>Den Anzeigenamen %1 löschen? Clients, die ihn verwenden, erhalten „Modell nicht gefunden“.</translation>
    </message>
    <message>
        <source>Could not delete the mapping</source>
        <translation>Die Zuordnung konnte nicht gelöscht werden</translation>
    </message>
</context>
<context>
    <name>Maestro::NewUserDialog</name>
    <message>
        <source>Allow every model (can be narrowed later)</source>
        <translation>Jedes Modell erlauben (später einschränkbar)</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>Neuer Benutzer</translation>
    </message>
    <message>
        <source>e.g. alice</source>
        <translation>z. B. alice</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>The access token is shown once, right after the user is created.</source>
        <translation>Das Zugangstoken wird einmalig angezeigt, direkt nach dem Anlegen des Benutzers.</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
</context>
<context>
    <name>Maestro::NodeDialog</name>
    <message>
        <source>Edit node %1</source>
        <translation>Knoten %1 bearbeiten</translation>
    </message>
    <message>
        <source>Add node</source>
        <translation>Knoten hinzufügen</translation>
    </message>
    <message>
        <source>e.g. gpu-1</source>
        <translation>z. B. gpu-1</translation>
    </message>
    <message>
        <source>e.g. http://10.0.0.5:11434</source>
        <translation>z. B. http://10.0.0.5:11434</translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation>Ollama</translation>
    </message>
    <message>
        <source>OpenAI-compatible (vLLM, LM Studio, llama.cpp, hosted)</source>
        <translation>OpenAI-kompatibel (vLLM, LM Studio, llama.cpp, gehostet)</translation>
    </message>
    <message>
        <source>Stored; type to replace</source>
        <translation>Gespeichert; zum Ersetzen neu eingeben</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>Higher is preferred by the priority strategy and for failover</source>
        <translation>Höhere Werte werden von der Prioritätsstrategie und beim Ausweichen bevorzugt</translation>
    </message>
    <message>
        <source>Share of requests under the weighted strategy; 0 never picks this node</source>
        <translation>Anteil der Anfragen bei der gewichteten Strategie; 0 wählt diesen Knoten nie</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adresse:</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Typ:</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API-&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation>&amp;Priorität:</translation>
    </message>
    <message>
        <source>&amp;Weight:</source>
        <translation>&amp;Gewicht:</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Load the node&apos;s models &amp;before they are asked for</source>
        <translation>Modelle des Knotens &amp;vorab laden, bevor sie angefragt werden</translation>
    </message>
    <message>
        <source>Ollama nodes: load each discovered model when it is found and on the warmup schedule, while the node has no requests to serve</source>
        <translation>Ollama-Knoten: jedes gefundene Modell beim Finden und nach dem Vorwärmplan laden, solange der Knoten keine Anfragen zu bedienen hat</translation>
    </message>
    <message>
        <source>Warmup:</source>
        <translation>Vorwärmen:</translation>
    </message>
    <message>
        <source>&amp;Update the node&apos;s models on each periodic check</source>
        <translation>Modelle des Knotens bei jeder regelmäßigen Prüfung a&amp;ktualisieren</translation>
    </message>
    <message>
        <source>Amazon Bedrock</source>
        <translation>Amazon Bedrock</translation>
    </message>
    <message>
        <source>Anthropic</source>
        <translation>Anthropic</translation>
    </message>
    <message>
        <source>e.g. us-east-1</source>
        <translation>z. B. us-east-1</translation>
    </message>
    <message>
        <source>IAM credentials, or an API key above</source>
        <translation>IAM-Zugangsdaten oder oben ein API-Schlüssel</translation>
    </message>
    <message>
        <source>Only for temporary credentials</source>
        <translation>Nur für temporäre Zugangsdaten</translation>
    </message>
    <message>
        <source>One model id or inference profile per line, e.g.
anthropic.claude-3-5-sonnet-20240620-v1:0</source>
        <translation>Eine Modell-ID oder ein Inferenzprofil pro Zeile, z. B.
anthropic.claude-3-5-sonnet-20240620-v1:0</translation>
    </message>
    <message>
        <source>Header</source>
        <translation>Header</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Geheim</translation>
    </message>
    <message>
        <source>Sent on every request to the node: chats, model lists, health checks, pulls</source>
        <translation>Wird bei jeder Anfrage an den Knoten gesendet: Chats, Modelllisten, Zustandsprüfungen, Downloads</translation>
    </message>
    <message>
        <source>A&amp;dd header</source>
        <translation>Header hinzu&amp;fügen</translation>
    </message>
    <message>
        <source>Remo&amp;ve header</source>
        <translation>Header &amp;entfernen</translation>
    </message>
    <message>
        <source>Optional; e.g. http://10.0.0.5:8080/health (2xx is healthy)</source>
        <translation>Optional; z. B. http://10.0.0.5:8080/health (2xx ist in Ordnung)</translation>
    </message>
    <message>
        <source>Empty: the node&apos;s model list is its health check</source>
        <translation>Leer: Die Modellliste des Knotens dient als Zustandsprüfung</translation>
    </message>
    <message>
        <source>Off: the models stay as they are until you sync them by hand</source>
        <translation>Aus: Die Modelle bleiben unverändert, bis Sie sie von Hand abgleichen</translation>
    </message>
    <message>
        <source>Hea&amp;lth check:</source>
        <translation>&amp;Zustandsprüfung:</translation>
    </message>
    <message>
        <source>Model sync:</source>
        <translation>Modellabgleich:</translation>
    </message>
    <message>
        <source>&amp;Region:</source>
        <translation>&amp;Region:</translation>
    </message>
    <message>
        <source>Access key &amp;ID:</source>
        <translation>Zugriffsschlüssel-&amp;ID:</translation>
    </message>
    <message>
        <source>&amp;Secret access key:</source>
        <translation>Geheimer Z&amp;ugriffsschlüssel:</translation>
    </message>
    <message>
        <source>Session &amp;token:</source>
        <translation>Sitzungst&amp;oken:</translation>
    </message>
    <message>
        <source>&amp;Models:</source>
        <translation>&amp;Modelle:</translation>
    </message>
    <message>
        <source>Request headers:</source>
        <translation>Anfrage-Header:</translation>
    </message>
    <message>
        <source>API keys and secret header values are kept in the system keychain, never in the database.</source>
        <translation>API-Schlüssel und geheime Header-Werte liegen im Schlüsselbund des Systems, nie in der Datenbank.</translation>
    </message>
    <message>
        <source>e.g. X-Org</source>
        <translation>z. B. X-Org</translation>
    </message>
</context>
<context>
    <name>Maestro::NodesPage</name>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten …</translation>
    </message>
    <message>
        <source>Disa&amp;ble</source>
        <translation>&amp;Deaktivieren</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>Jetzt &amp;abgleichen</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>&amp;Add node…</source>
        <translation>Knoten &amp;hinzufügen …</translation>
    </message>
    <message>
        <source>Add an Ollama or OpenAI-compatible server (Ctrl+N)</source>
        <translation>Einen Ollama- oder OpenAI-kompatiblen Server hinzufügen (Strg+N)</translation>
    </message>
    <message>
        <source>Check health and discover models now</source>
        <translation>Zustand jetzt prüfen und Modelle ermitteln</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <source>Last check</source>
        <translation>Letzte Prüfung</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>Familie</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantisierung</translation>
    </message>
    <message>
        <source>No nodes yet. Add the Ollama or OpenAI-compatible servers your team uses.</source>
        <translation>Noch keine Knoten. Fügen Sie die Ollama- oder OpenAI-kompatiblen Server hinzu, die Ihr Team nutzt.</translation>
    </message>
    <message>
        <source>Discovered models</source>
        <translation>Gefundene Modelle</translation>
    </message>
    <message numerus="yes">
        <source>Models discovered on %1 (%n)</source>
        <translation>
            <numerusform>Auf %1 gefundene Modelle (%n)</numerusform>
            <numerusform>Auf %1 gefundene Modelle (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>Ena&amp;ble</source>
        <translation>&amp;Aktivieren</translation>
    </message>
    <message>
        <source>Could not add the node</source>
        <translation>Der Knoten konnte nicht hinzugefügt werden</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Prüfe %1 …</translation>
    </message>
    <message>
        <source>%1 answers; its models are listed below.</source>
        <translation>%1 antwortet; seine Modelle stehen unten.</translation>
    </message>
    <message>
        <source>%1 does not answer: %2</source>
        <translation>%1 antwortet nicht: %2</translation>
    </message>
    <message>
        <source>Could not change the node</source>
        <translation>Der Knoten konnte nicht geändert werden</translation>
    </message>
    <message>
        <source>Delete node</source>
        <translation>Knoten löschen</translation>
    </message>
    <message>
        <source>Delete %1? Requests stop going to it; its API key is removed from the keychain.</source>
        <translation>%1 löschen? Anfragen gehen nicht mehr dorthin; sein API-Schlüssel wird aus dem Schlüsselbund entfernt.</translation>
    </message>
    <message>
        <source>Could not delete the node</source>
        <translation>Der Knoten konnte nicht gelöscht werden</translation>
    </message>
    <message>
        <source>%1 is healthy; models are up to date.</source>
        <translation>%1 ist in Ordnung; die Modelle sind aktuell.</translation>
    </message>
    <message>
        <source>&amp;Pull model…</source>
        <translation>Modell he&amp;runterladen …</translation>
    </message>
    <message>
        <source>Download a model onto the selected Ollama node or onto all of them</source>
        <translation>Ein Modell auf den ausgewählten Ollama-Knoten oder auf alle herunterladen</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Avg latency</source>
        <translation>Mittl. Latenz</translation>
    </message>
    <message>
        <source>Requests in flight now, model warmups included</source>
        <translation>Gerade laufende Anfragen, einschließlich Vorwärmen von Modellen</translation>
    </message>
    <message>
        <source>Requests served today (UTC), failed ones included</source>
        <translation>Heute (UTC) bediente Anfragen, fehlgeschlagene eingeschlossen</translation>
    </message>
    <message>
        <source>Average duration of today&apos;s requests, streams until their end</source>
        <translation>Mittlere Dauer der heutigen Anfragen, Streams bis zu ihrem Ende</translation>
    </message>
    <message>
        <source>%1 (%2 failed)</source>
        <translation>%1 (%2 fehlgeschlagen)</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
</context>
<context>
    <name>Maestro::PoliciesPage</name>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>Edi&amp;t…</source>
        <translation>Bearbei&amp;ten…</translation>
    </message>
    <message>
        <source>De&amp;lete</source>
        <translation>Lösc&amp;hen</translation>
    </message>
    <message>
        <source>&amp;New configuration…</source>
        <translation>&amp;Neue Konfiguration…</translation>
    </message>
    <message>
        <source>Set maintenance, tools, parameters and context lengths for a model or a model prefix (Ctrl+N)</source>
        <translation>Wartung, Werkzeuge, Parameter und Kontextlängen für ein Modell oder ein Modellpräfix festlegen (Strg+N)</translation>
    </message>
    <message>
        <source>New tool &amp;set…</source>
        <translation>Neuer Werkzeug&amp;satz…</translation>
    </message>
    <message>
        <source>Name a list of tools that model configurations can allow together</source>
        <translation>Eine Liste von Werkzeugen benennen, die Modellkonfigurationen gemeinsam erlauben können</translation>
    </message>
    <message>
        <source>Pattern</source>
        <translation>Muster</translation>
    </message>
    <message>
        <source>Maintenance</source>
        <translation>Wartung</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Werkzeuge</translation>
    </message>
    <message>
        <source>Stripped parameters</source>
        <translation>Entfernte Parameter</translation>
    </message>
    <message>
        <source>Context default / max</source>
        <translation>Kontext Standard / max.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Model configuration</source>
        <translation>Modellkonfiguration</translation>
    </message>
    <message>
        <source>Tool sets</source>
        <translation>Werkzeugsätze</translation>
    </message>
    <message>
        <source>A configuration applies to the model it names, or to every model starting with a prefix ending in *.</source>
        <translation>Eine Konfiguration gilt für das genannte Modell oder, bei einem Präfix mit * am Ende, für jedes Modell, das damit beginnt.</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>set %1</source>
        <translation>Satz %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>only: %1</source>
        <translation>nur: %1</translation>
    </message>
    <message>
        <source>Serving</source>
        <translation>In Betrieb</translation>
    </message>
    <message>
        <source>Could not save the model configuration</source>
        <translation>Die Modellkonfiguration konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Delete model configuration</source>
        <translation>Modellkonfiguration löschen</translation>
    </message>
    <message>
        <source>Delete the configuration for %1? Matching models are served without it.</source>
        <translation>Die Konfiguration für %1 löschen? Passende Modelle werden dann ohne sie bedient.</translation>
    </message>
    <message>
        <source>Could not delete the model configuration</source>
        <translation>Die Modellkonfiguration konnte nicht gelöscht werden</translation>
    </message>
    <message>
        <source>Could not save the tool set</source>
        <translation>Der Werkzeugsatz konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Delete tool set</source>
        <translation>Werkzeugsatz löschen</translation>
    </message>
    <message>
        <source>Delete the tool set %1? Configurations that allow it no longer pass its tools.</source>
        <translation>Den Werkzeugsatz %1 löschen? Konfigurationen, die ihn erlauben, lassen seine Werkzeuge dann nicht mehr durch.</translation>
    </message>
    <message>
        <source>Could not delete the tool set</source>
        <translation>Der Werkzeugsatz konnte nicht gelöscht werden</translation>
    </message>
    <message>
        <source>Per minute</source>
        <translation>Pro Minute</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s)</source>
        <translation>
            <numerusform>%n Anfrage</numerusform>
            <numerusform>%n Anfragen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n Token</numerusform>
            <numerusform>%n Tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>Unbegrenzt</translation>
    </message>
</context>
<context>
    <name>Maestro::PullModelDialog</name>
    <message>
        <source>&amp;Pull</source>
        <translation>&amp;Herunterladen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Pull model</source>
        <translation>Modell herunterladen</translation>
    </message>
    <message>
        <source>e.g. llama3.2:3b</source>
        <translation>z. B. llama3.2:3b</translation>
    </message>
    <message numerus="yes">
        <source>All active Ollama nodes (%n)</source>
        <translation>
            <numerusform>Alle aktiven Ollama-Knoten (%n)</numerusform>
            <numerusform>Alle aktiven Ollama-Knoten (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (disabled)</source>
        <translation>%1 (deaktiviert)</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <source>&amp;Onto:</source>
        <translation>&amp;Ziel:</translation>
    </message>
    <message>
        <source>Each node downloads the model from its registry (ollama.com unless the name says otherwise). Large models take a while.</source>
        <translation>Jeder Knoten lädt das Modell aus seiner Registry herunter (ollama.com, sofern der Name nichts anderes angibt). Große Modelle brauchen eine Weile.</translation>
    </message>
    <message>
        <source>There is no Ollama node: only Ollama nodes can pull models.</source>
        <translation>Es gibt keinen Ollama-Knoten: Nur Ollama-Knoten können Modelle herunterladen.</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet …</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen …</translation>
    </message>
    <message>
        <source>Pulling %1…</source>
        <translation>%1 wird heruntergeladen …</translation>
    </message>
    <message>
        <source>Waiting for the node…</source>
        <translation>Warte auf den Knoten …</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cancelled: %1 was not pulled.</source>
        <translation>Abgebrochen: %1 wurde nicht heruntergeladen.</translation>
    </message>
    <message numerus="yes">
        <source>%1 is on %n node(s); their model lists are being refreshed.</source>
        <translation>
            <numerusform>%1 ist auf %n Knoten; seine Modellliste wird aktualisiert.</numerusform>
            <numerusform>%1 ist auf %n Knoten; ihre Modelllisten werden aktualisiert.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Pulling %1 failed on %2 of %n node(s).</source>
        <translation>
            <numerusform>Herunterladen von %1 ist auf %2 von %n Knoten fehlgeschlagen.</numerusform>
            <numerusform>Herunterladen von %1 ist auf %2 von %n Knoten fehlgeschlagen.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::RemoteGatewayClient</name>
    <message>
        <source>the service on this computer (%1)</source>
        <translation>der Dienst auf diesem Rechner (%1)</translation>
    </message>
    <message>
        <source>the gateway on this computer (%1)</source>
        <translation>das Gateway auf diesem Rechner (%1)</translation>
    </message>
    <message>
        <source>The gateway&apos;s answer could not be read: %1</source>
        <translation>Die Antwort des Gateways ist nicht lesbar: %1</translation>
    </message>
    <message>
        <source>The gateway ended the pull before it began.</source>
        <translation>Das Gateway hat den Download beendet, bevor er begann.</translation>
    </message>
    <message>
        <source>The gateway ended the pull.</source>
        <translation>Das Gateway hat den Download beendet.</translation>
    </message>
    <message>
        <source>systemctl failed: %1</source>
        <translation>systemctl ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>exit code %1</source>
        <translation>Exit-Code %1</translation>
    </message>
    <message>
        <source>systemctl could not be run: %1</source>
        <translation>systemctl ließ sich nicht ausführen: %1</translation>
    </message>
    <message>
        <source>The service did not answer after it was started: %1</source>
        <translation>Der Dienst antwortet nach dem Start nicht: %1</translation>
    </message>
    <message>
        <source>The service still answers after it was stopped.</source>
        <translation>Der Dienst antwortet nach dem Anhalten noch.</translation>
    </message>
    <message>
        <source>The gateway is stopped.</source>
        <translation>Das Gateway ist angehalten.</translation>
    </message>
</context>
<context>
    <name>Maestro::SettingsPage</name>
    <message>
        <source>Start minimized to the tray</source>
        <translation>Minimiert im Infobereich starten</translation>
    </message>
    <message>
        <source>Least busy</source>
        <translation>Am wenigsten ausgelastet</translation>
    </message>
    <message>
        <source>Round robin</source>
        <translation>Reihum</translation>
    </message>
    <message>
        <source>Weighted</source>
        <translation>Gewichtet</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>This desktop has no system tray.</source>
        <translation>Dieser Desktop hat keinen Infobereich.</translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation>Gateway</translation>
    </message>
    <message>
        <source>&amp;Listen address:</source>
        <translation>&amp;Lauschadresse:</translation>
    </message>
    <message>
        <source>HOST:PORT, e.g. 0.0.0.0:8000 to serve the LAN. Takes effect after a restart; --listen on the command line wins.</source>
        <translation>HOST:PORT, z. B. 0.0.0.0:8000 für das lokale Netz. Gilt nach einem Neustart; --listen auf der Kommandozeile hat Vorrang.</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>Datenbank:</translation>
    </message>
    <message>
        <source>&amp;Routing strategy:</source>
        <translation>&amp;Verteilungsstrategie:</translation>
    </message>
    <message>
        <source>How the first node is picked; the others are the failover order.</source>
        <translation>Wie der erste Knoten gewählt wird; die übrigen bilden die Ausweichreihenfolge.</translation>
    </message>
    <message>
        <source>&amp;Largest request body:</source>
        <translation>&amp;Größter Anfragekörper:</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Desktop</translation>
    </message>
    <message>
        <source>Lan&amp;guage:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source>Applied after a restart.</source>
        <translation>Wird nach einem Neustart übernommen.</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>Ü&amp;bernehmen</translation>
    </message>
    <message>
        <source>Re&amp;vert</source>
        <translation>&amp;Zurücksetzen</translation>
    </message>
    <message>
        <source>Could not save the settings</source>
        <translation>Die Einstellungen konnten nicht gespeichert werden</translation>
    </message>
    <message>
        <source>Saved. Some changes take effect after a restart.</source>
        <translation>Gespeichert. Einige Änderungen gelten erst nach einem Neustart.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>Unbegrenzt</translation>
    </message>
    <message>
        <source>Start when I log in</source>
        <translation>Bei der Anmeldung starten</translation>
    </message>
    <message>
        <source>Default limits for new users</source>
        <translation>Standardlimits für neue Benutzer</translation>
    </message>
    <message>
        <source>Re&amp;quests per day:</source>
        <translation>&amp;Anfragen pro Tag:</translation>
    </message>
    <message>
        <source>&amp;Tokens per day:</source>
        <translation>&amp;Tokens pro Tag:</translation>
    </message>
    <message>
        <source>Requests per &amp;minute:</source>
        <translation>Anfragen pro &amp;Minute:</translation>
    </message>
    <message>
        <source>Tokens per m&amp;inute:</source>
        <translation>Tokens pro M&amp;inute:</translation>
    </message>
    <message>
        <source>Given to each user created from now on, unless the creation names limits. Existing users keep theirs.</source>
        <translation>Gilt für jeden ab jetzt angelegten Benutzer, sofern beim Anlegen keine Limits angegeben werden. Bestehende Benutzer behalten ihre.</translation>
    </message>
    <message>
        <source>With &quot;Start minimized to the tray&quot; the app starts in the tray.</source>
        <translation>Mit „Minimiert im Infobereich starten“ startet die App im Infobereich.</translation>
    </message>
    <message>
        <source>Could not change starting on login</source>
        <translation>Der Start bei der Anmeldung konnte nicht geändert werden</translation>
    </message>
    <message>
        <source>Answer the version without a token, as Ollama does</source>
        <translation>Die Version ohne Token beantworten, wie Ollama es tut</translation>
    </message>
    <message>
        <source>none (Ollama&apos;s 5 minutes)</source>
        <translation>keiner (Ollama-Standard: 5 Minuten)</translation>
    </message>
    <message>
        <source>Ollama&apos;s default</source>
        <translation>Ollama-Standard</translation>
    </message>
    <message>
        <source>Remove the images</source>
        <translation>Bilder entfernen</translation>
    </message>
    <message>
        <source>Refuse the request (400)</source>
        <translation>Anfrage ablehnen (400)</translation>
    </message>
    <message>
        <source>Requests to nodes</source>
        <translation>Anfragen an Knoten</translation>
    </message>
    <message>
        <source>Ollama &amp;keep_alive:</source>
        <translation>Ollama-&amp;keep_alive:</translation>
    </message>
    <message>
        <source>Sent to Ollama nodes when the client sends none: 30m, 1h30m, seconds, or -1 to keep the model loaded.</source>
        <translation>Wird an Ollama-Knoten gesendet, wenn der Client keinen Wert sendet: 30m, 1h30m, Sekunden oder -1, um das Modell geladen zu halten.</translation>
    </message>
    <message>
        <source>Default &amp;context length:</source>
        <translation>Stan&amp;dard-Kontextlänge:</translation>
    </message>
    <message>
        <source>num_ctx for Ollama nodes when neither the client, the model configuration nor the mapping sets one.</source>
        <translation>num_ctx für Ollama-Knoten, wenn weder der Client noch die Modellkonfiguration noch die Zuordnung einen Wert setzt.</translation>
    </message>
    <message>
        <source>Images for models &amp;without vision:</source>
        <translation>Bilder für Modelle &amp;ohne vision:</translation>
    </message>
    <message>
        <source>Ollama &amp;version reported:</source>
        <translation>Gemeldete Ollama-Versio&amp;n:</translation>
    </message>
    <message>
        <source>Ollama clients such as VS Code&apos;s Copilot check the version first, without a token.</source>
        <translation>Ollama-Clients wie Copilot in VS Code prüfen zuerst die Version, ohne Token.</translation>
    </message>
    <message>
        <source>none: plain HTTP</source>
        <translation>keins: einfaches HTTP</translation>
    </message>
    <message>
        <source>PEM file, not encrypted</source>
        <translation>PEM-Datei, unverschlüsselt</translation>
    </message>
    <message>
        <source>TLS &amp;certificate:</source>
        <translation>TLS-&amp;Zertifikat:</translation>
    </message>
    <message>
        <source>TLS &amp;key:</source>
        <translation>TLS-Schl&amp;üssel:</translation>
    </message>
    <message>
        <source>PEM files: the gateway serves HTTPS on the listen address, so that tokens do not cross the LAN in clear. Takes effect after a restart; --tls-cert on the command line wins.</source>
        <translation>PEM-Dateien: Das Gateway bedient HTTPS auf der Lauschadresse, damit Tokens nicht im Klartext durchs LAN gehen. Wirkt nach einem Neustart; --tls-cert auf der Kommandozeile hat Vorrang.</translation>
    </message>
    <message>
        <source>Give both the TLS certificate and its key, or neither.</source>
        <translation>Geben Sie das TLS-Zertifikat und seinen Schlüssel an, oder keins von beiden.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Certificate fingerprint (SHA-256): %1</source>
        <translation>Fingerabdruck des Zertifikats (SHA-256): %1</translation>
    </message>
</context>
<context>
    <name>Maestro::SystemPromptDialog</name>
    <message>
        <source>&amp;Active</source>
        <translation>&amp;Aktiv</translation>
    </message>
    <message>
        <source>Edit system prompt</source>
        <translation>Systemprompt bearbeiten</translation>
    </message>
    <message>
        <source>New system prompt</source>
        <translation>Neuer Systemprompt</translation>
    </message>
    <message>
        <source>Every request</source>
        <translation>Jede Anfrage</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Mapping</source>
        <translation>Zuordnung</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>e.g. Answer in English. Never reveal internal host names.</source>
        <translation>z. B. Antworte auf Deutsch. Nenne niemals interne Hostnamen.</translation>
    </message>
    <message>
        <source>Prompts with a higher priority come first</source>
        <translation>Prompts mit höherer Priorität kommen zuerst</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>The value must equal the user name, the mapping&apos;s display name, the real model name sent to the node, the group name, or the node&apos;s name or id.</source>
        <translation>Der Wert muss dem Benutzernamen, dem Anzeigenamen der Zuordnung, dem an den Knoten gesendeten echten Modellnamen, dem Gruppennamen oder dem Namen bzw. der ID des Knotens entsprechen.</translation>
    </message>
    <message>
        <source>Applies &amp;to:</source>
        <translation>&amp;Gilt für:</translation>
    </message>
    <message>
        <source>&amp;Value:</source>
        <translation>&amp;Wert:</translation>
    </message>
    <message>
        <source>&amp;Prompt:</source>
        <translation>&amp;Prompt:</translation>
    </message>
    <message>
        <source>P&amp;riority:</source>
        <translation>P&amp;riorität:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>&amp;Beschreibung:</translation>
    </message>
    <message>
        <source>Start typing to pick a name</source>
        <translation>Tippen Sie, um einen Namen auszuwählen</translation>
    </message>
    <message>
        <source>Name the %1 the prompt applies to.</source>
        <translation>Geben Sie an, für welche(n) %1 der Prompt gilt.</translation>
    </message>
    <message>
        <source>Write the prompt.</source>
        <translation>Schreiben Sie den Prompt.</translation>
    </message>
</context>
<context>
    <name>Maestro::SystemPromptsPage</name>
    <message>
        <source>Every request</source>
        <translation>Jede Anfrage</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Mapping</source>
        <translation>Zuordnung</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten …</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>Nach &amp;oben</translation>
    </message>
    <message>
        <source>Move d&amp;own</source>
        <translation>Nach &amp;unten</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>&amp;New prompt…</source>
        <translation>&amp;Neuer Prompt …</translation>
    </message>
    <message>
        <source>Add text the gateway puts in front of matching requests (Ctrl+N)</source>
        <translation>Text hinzufügen, den das Gateway passenden Anfragen voranstellt (Strg+N)</translation>
    </message>
    <message>
        <source>Apply this prompt before the one above it</source>
        <translation>Diesen Prompt vor dem darüber anwenden</translation>
    </message>
    <message>
        <source>Apply this prompt after the one below it</source>
        <translation>Diesen Prompt nach dem darunter anwenden</translation>
    </message>
    <message>
        <source>Applies to</source>
        <translation>Gilt für</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Matching prompts are joined top to bottom and put in front of the request&apos;s own system prompt. Prompts of equal priority go from the broadest scope to the most specific.</source>
        <translation>Passende Prompts werden von oben nach unten verbunden und dem eigenen Systemprompt der Anfrage vorangestellt. Prompts gleicher Priorität gehen vom allgemeinsten zum spezifischsten Bereich.</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Ja</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
    <message>
        <source>Could not save the system prompt</source>
        <translation>Der Systemprompt konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <source>the prompt for every request</source>
        <translation>den Prompt für jede Anfrage</translation>
    </message>
    <message>
        <source>the prompt for %1 %2</source>
        <translation>den Prompt für %2 (%1)</translation>
    </message>
    <message>
        <source>Delete system prompt</source>
        <translation>Systemprompt löschen</translation>
    </message>
    <message>
        <source>Delete %1? Requests no longer get its text.</source>
        <translation>%1 löschen? Anfragen erhalten seinen Text dann nicht mehr.</translation>
    </message>
    <message>
        <source>Could not delete the system prompt</source>
        <translation>Der Systemprompt konnte nicht gelöscht werden</translation>
    </message>
    <message>
        <source>Could not change the order of the system prompts</source>
        <translation>Die Reihenfolge der Systemprompts konnte nicht geändert werden</translation>
    </message>
</context>
<context>
    <name>Maestro::TokenDialog</name>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Token for %1</source>
        <translation>Token für %1</translation>
    </message>
    <message>
        <source>This is &lt;b&gt;%1&lt;/b&gt;&apos;s access token. Copy it now and hand it over safely: Model Maestro stores only a fingerprint and cannot show it again.</source>
        <translation>Dies ist das Zugangstoken von &lt;b&gt;%1&lt;/b&gt;. Kopieren Sie es jetzt und geben Sie es sicher weiter: Model Maestro speichert nur einen Fingerabdruck und kann es nicht erneut anzeigen.</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
</context>
<context>
    <name>Maestro::ToolSetDialog</name>
    <message>
        <source>Edit tool set %1</source>
        <translation>Werkzeugsatz %1 bearbeiten</translation>
    </message>
    <message>
        <source>New tool set</source>
        <translation>Neuer Werkzeugsatz</translation>
    </message>
    <message>
        <source>e.g. file-access</source>
        <translation>z. B. file-access</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>Optional</translation>
    </message>
    <message>
        <source>A tool set keeps its name; create a new one to use another.</source>
        <translation>Ein Werkzeugsatz behält seinen Namen; für einen anderen einen neuen anlegen.</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>&amp;Beschreibung:</translation>
    </message>
    <message>
        <source>&amp;Tools:</source>
        <translation>&amp;Werkzeuge:</translation>
    </message>
    <message>
        <source>One tool name per line.</source>
        <translation>Ein Werkzeugname pro Zeile.</translation>
    </message>
    <message>
        <source>There is a tool set named %1 already; edit that one instead.</source>
        <translation>Es gibt bereits einen Werkzeugsatz namens %1; bitte diesen bearbeiten.</translation>
    </message>
</context>
<context>
    <name>Maestro::TrayIcon</name>
    <message>
        <source>&amp;Open Model Maestro</source>
        <translation>Model Maestro ö&amp;ffnen</translation>
    </message>
    <message>
        <source>&amp;Copy connection snippet</source>
        <translation>Verbindungs&amp;daten kopieren</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Node back</source>
        <translation>Knoten wieder da</translation>
    </message>
    <message>
        <source>%1 answers again.</source>
        <translation>%1 antwortet wieder.</translation>
    </message>
    <message>
        <source>Node down</source>
        <translation>Knoten ausgefallen</translation>
    </message>
    <message>
        <source>%1 does not answer; requests go to the other nodes.</source>
        <translation>%1 antwortet nicht; Anfragen gehen an die anderen Knoten.</translation>
    </message>
    <message>
        <source>Gateway stopped</source>
        <translation>Gateway angehalten</translation>
    </message>
    <message numerus="yes">
        <source>%n node(s) down</source>
        <translation>
            <numerusform>%n Knoten ausgefallen</numerusform>
            <numerusform>%n Knoten ausgefallen</numerusform>
        </translation>
    </message>
    <message>
        <source>All nodes healthy</source>
        <translation>Alle Knoten in Ordnung</translation>
    </message>
    <message>
        <source>&amp;Stop gateway</source>
        <translation>Gateway &amp;anhalten</translation>
    </message>
    <message>
        <source>Gateway starting or stopping…</source>
        <translation>Gateway wird gestartet oder angehalten …</translation>
    </message>
    <message>
        <source>Gateway could not start: %1</source>
        <translation>Gateway konnte nicht starten: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n failed request(s) in the last 5 minutes</source>
        <translation>
            <numerusform>%n fehlgeschlagene Anfrage in den letzten 5 Minuten</numerusform>
            <numerusform>%n fehlgeschlagene Anfragen in den letzten 5 Minuten</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Start gateway</source>
        <translation>Gateway &amp;starten</translation>
    </message>
    <message>
        <source>Model Maestro — %1
%2
%3 active requests, %4 requests today</source>
        <translation>Model Maestro — %1
%2
%3 aktive Anfragen, %4 Anfragen heute</translation>
    </message>
</context>
<context>
    <name>Maestro::Ui</name>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>In Ordnung</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Ausgefallen</translation>
    </message>
    <message>
        <source>Not checked yet</source>
        <translation>Noch nicht geprüft</translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>Unbegrenzt</translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation>Ollama</translation>
    </message>
    <message>
        <source>OpenAI-compatible</source>
        <translation>OpenAI-kompatibel</translation>
    </message>
    <message>
        <source>Amazon Bedrock</source>
        <translation>Amazon Bedrock</translation>
    </message>
    <message>
        <source>Anthropic</source>
        <translation>Anthropic</translation>
    </message>
</context>
<context>
    <name>Maestro::UsageChart</name>
    <message numerus="yes">
        <source>%1–%2: %n request(s), %3 tokens</source>
        <translation>
            <numerusform>%1–%2: %n Anfrage, %3 Tokens</numerusform>
            <numerusform>%1–%2: %n Anfragen, %3 Tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>No requests in the last 24 hours</source>
        <translation>Keine Anfragen in den letzten 24 Stunden</translation>
    </message>
</context>
<context>
    <name>Maestro::UserLimitsDialog</name>
    <message>
        <source>&amp;Requests per day:</source>
        <translation>&amp;Anfragen pro Tag:</translation>
    </message>
    <message>
        <source>&amp;Tokens per day:</source>
        <translation>&amp;Tokens pro Tag:</translation>
    </message>
    <message>
        <source>Limits for %1</source>
        <translation>Limits für %1</translation>
    </message>
    <message>
        <source>Requests per &amp;minute:</source>
        <translation>Anfragen pro &amp;Minute:</translation>
    </message>
    <message>
        <source>T&amp;okens per minute:</source>
        <translation>T&amp;okens pro Minute:</translation>
    </message>
    <message>
        <source>Days are counted in UTC; a minute is any 60 seconds. 0 means unlimited.</source>
        <translation>Tage werden in UTC gezählt; eine Minute sind beliebige 60 Sekunden. 0 bedeutet unbegrenzt.</translation>
    </message>
</context>
<context>
    <name>Maestro::UserModelsDialog</name>
    <message>
        <source>&amp;All models, including ones added later</source>
        <translation>&amp;Alle Modelle, auch später hinzugefügte</translation>
    </message>
    <message>
        <source>Models for %1</source>
        <translation>Modelle für %1</translation>
    </message>
    <message>
        <source>Or only these (display names first, then models as nodes name them):</source>
        <translation>Oder nur diese (zuerst Anzeigenamen, dann Modelle, wie die Knoten sie nennen):</translation>
    </message>
</context>
<context>
    <name>Maestro::UserNodeModelsDialog</name>
    <message>
        <source>Models on nodes for %1</source>
        <translation>Modelle auf Knoten für %1</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Only these models on these nodes; with no rows, every model on the nodes the user may use. Requests never go elsewhere, not even on failover.</source>
        <translation>Nur diese Modelle auf diesen Knoten; ohne Zeilen jedes Modell auf den Knoten, die der Benutzer verwenden darf. Anfragen gehen nie anderswohin, auch nicht beim Failover.</translation>
    </message>
    <message>
        <source>Deleted node %1</source>
        <translation>Gelöschter Knoten %1</translation>
    </message>
</context>
<context>
    <name>Maestro::UserNodesDialog</name>
    <message>
        <source>&amp;All nodes, including ones added later</source>
        <translation>&amp;Alle Knoten, auch später hinzugefügte</translation>
    </message>
    <message>
        <source>Nodes for %1</source>
        <translation>Knoten für %1</translation>
    </message>
    <message>
        <source>Deleted node %1</source>
        <translation>Gelöschter Knoten %1</translation>
    </message>
    <message>
        <source>Or only these; requests never go to other nodes, not even on failover:</source>
        <translation>Oder nur diese; Anfragen gehen nie an andere Knoten, auch nicht beim Failover:</translation>
    </message>
</context>
<context>
    <name>Maestro::UsersPage</name>
    <message>
        <source>N&amp;odes…</source>
        <translation>K&amp;noten…</translation>
    </message>
    <message>
        <source>Limit the nodes this user&apos;s requests may go to</source>
        <translation>Die Knoten begrenzen, an die Anfragen dieses Benutzers gehen dürfen</translation>
    </message>
    <message>
        <source>deleted node %1</source>
        <translation>gelöschter Knoten %1</translation>
    </message>
    <message>
        <source>%1 (only on %2)</source>
        <translation>%1 (nur auf %2)</translation>
    </message>
    <message>
        <source>Could not change the nodes</source>
        <translation>Die Knoten konnten nicht geändert werden</translation>
    </message>
    <message>
        <source>&amp;Rotate token</source>
        <translation>Token &amp;erneuern</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modelle …</translation>
    </message>
    <message>
        <source>&amp;Limits…</source>
        <translation>&amp;Limits …</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>&amp;New user…</source>
        <translation>&amp;Neuer Benutzer …</translation>
    </message>
    <message>
        <source>Create a user and show their access token (Ctrl+N)</source>
        <translation>Einen Benutzer anlegen und sein Zugangstoken anzeigen (Strg+N)</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Requests today</source>
        <translation>Anfragen heute</translation>
    </message>
    <message>
        <source>Tokens today</source>
        <translation>Tokens heute</translation>
    </message>
    <message>
        <source>Request limit</source>
        <translation>Anfragelimit</translation>
    </message>
    <message>
        <source>Token limit</source>
        <translation>Tokenlimit</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Angelegt</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Endpunkt</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Recent activity</source>
        <translation>Letzte Aktivität</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>Alle Modelle</translation>
    </message>
    <message>
        <source>None yet</source>
        <translation>Noch keine</translation>
    </message>
    <message>
        <source>Recent activity (select a user)</source>
        <translation>Letzte Aktivität (Benutzer auswählen)</translation>
    </message>
    <message>
        <source>Recent activity of %1</source>
        <translation>Letzte Aktivität von %1</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>Could not create the user</source>
        <translation>Der Benutzer konnte nicht angelegt werden</translation>
    </message>
    <message>
        <source>Rotate token</source>
        <translation>Token erneuern</translation>
    </message>
    <message>
        <source>Issue a new token for %1? The current token stops working at once.</source>
        <translation>Ein neues Token für %1 ausstellen? Das aktuelle Token funktioniert sofort nicht mehr.</translation>
    </message>
    <message>
        <source>Could not rotate the token</source>
        <translation>Das Token konnte nicht erneuert werden</translation>
    </message>
    <message>
        <source>Delete user</source>
        <translation>Benutzer löschen</translation>
    </message>
    <message>
        <source>Delete %1? Their token stops working at once; their usage stays in the logs.</source>
        <translation>%1 löschen? Das Token funktioniert sofort nicht mehr; die Nutzung bleibt in den Protokollen.</translation>
    </message>
    <message>
        <source>Could not delete the user</source>
        <translation>Der Benutzer konnte nicht gelöscht werden</translation>
    </message>
    <message>
        <source>Could not change the models</source>
        <translation>Die Modelle konnten nicht geändert werden</translation>
    </message>
    <message>
        <source>Could not change the limits</source>
        <translation>Die Limits konnten nicht geändert werden</translation>
    </message>
    <message>
        <source>%1 a day, %2 a minute</source>
        <translation>%1 pro Tag, %2 pro Minute</translation>
    </message>
    <message>
        <source>%1 a minute</source>
        <translation>%1 pro Minute</translation>
    </message>
    <message>
        <source>Mod&amp;els on nodes…</source>
        <translation>Modelle auf &amp;Knoten …</translation>
    </message>
    <message>
        <source>Limit which models this user may use on which node</source>
        <translation>Begrenzen, welche Modelle dieser Benutzer auf welchem Knoten verwenden darf</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%1 auf %2</translation>
    </message>
    <message>
        <source>%1 (only %2)</source>
        <translation>%1 (nur %2)</translation>
    </message>
    <message>
        <source>Could not change the models on nodes</source>
        <translation>Die Modelle auf den Knoten konnten nicht geändert werden</translation>
    </message>
</context>
</TS>
