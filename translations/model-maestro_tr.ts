<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="tr">
<context>
    <name>Autostart</name>
    <message>
        <source>Could not change the Run entry in the registry.</source>
        <translation>Kayıt defterindeki Run girdisi değiştirilemedi.</translation>
    </message>
    <message>
        <source>Could not remove %1.</source>
        <translation>%1 kaldırılamadı.</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1 yazılamadı: %2</translation>
    </message>
</context>
<context>
    <name>Maestro::AdminConnection</name>
    <message>
        <source>The gateway&apos;s certificate cannot be used: %1.</source>
        <translation>Ağ geçidinin sertifikası kullanılamaz: %1.</translation>
    </message>
    <message>
        <source>The gateway&apos;s certificate is not the one trusted for %1 (it is now SHA-256 %2).</source>
        <translation>Ağ geçidinin sertifikası %1 için güvenilen sertifika değil (şimdiki SHA-256 %2).</translation>
    </message>
    <message>
        <source>The gateway&apos;s certificate is not trusted (SHA-256 %1).</source>
        <translation>Ağ geçidinin sertifikasına güvenilmiyor (SHA-256 %1).</translation>
    </message>
    <message>
        <source>%1 did not answer within %2 seconds.</source>
        <translation>%1, %2 saniye içinde yanıt vermedi.</translation>
    </message>
    <message>
        <source>The answer from %1 is larger than %2; it was not read.</source>
        <translation>%1 yanıtı %2 boyutundan büyük; okunmadı.</translation>
    </message>
    <message>
        <source>The gateway refused the admin token.</source>
        <translation>Ağ geçidi yönetici token&apos;ını reddetti.</translation>
    </message>
    <message>
        <source>The gateway answered %1 %2.</source>
        <translation>Ağ geçidi %1 %2 yanıtını verdi.</translation>
    </message>
    <message>
        <source>Could not connect to %1: connection refused.</source>
        <translation>%1 adresine bağlanılamadı: bağlantı reddedildi.</translation>
    </message>
    <message>
        <source>Could not connect to %1: the host is unknown.</source>
        <translation>%1 adresine bağlanılamadı: sunucu bilinmiyor.</translation>
    </message>
    <message>
        <source>%1 closed the connection before it answered.</source>
        <translation>%1 yanıt vermeden bağlantıyı kapattı.</translation>
    </message>
    <message>
        <source>Could not connect to %1: no answer in time.</source>
        <translation>%1 adresine bağlanılamadı: zamanında yanıt gelmedi.</translation>
    </message>
    <message>
        <source>The request to %1 was cancelled.</source>
        <translation>%1 adresine yapılan istek iptal edildi.</translation>
    </message>
    <message>
        <source>Could not open a secure connection to %1: %2.</source>
        <translation>%1 adresine güvenli bağlantı kurulamadı: %2.</translation>
    </message>
    <message>
        <source>Could not connect to %1: %2.</source>
        <translation>%1 adresine bağlanılamadı: %2.</translation>
    </message>
    <message>
        <source>The answer from %1 is not a Model Maestro gateway&apos;s answer.</source>
        <translation>%1 yanıtı bir Model Maestro ağ geçidinin yanıtı değil.</translation>
    </message>
    <message>
        <source>%1 did not answer as a Model Maestro gateway.</source>
        <translation>%1 bir Model Maestro ağ geçidi gibi yanıt vermedi.</translation>
    </message>
    <message>
        <source>The gateway runs version %1; this app is %2.</source>
        <translation>Ağ geçidi %1 sürümünü çalıştırıyor; bu uygulama %2 sürümü.</translation>
    </message>
    <message>
        <source>A line of the answer from %1 is not a JSON object.</source>
        <translation>%1 yanıtının bir satırı JSON nesnesi değil.</translation>
    </message>
    <message>
        <source>A line of the answer from %1 is longer than %2.</source>
        <translation>%1 yanıtının bir satırı %2 boyutundan uzun.</translation>
    </message>
    <message>
        <source>An event of the live log from %1 is longer than %2.</source>
        <translation>%1 canlı günlüğünün bir olayı %2 boyutundan uzun.</translation>
    </message>
</context>
<context>
    <name>Maestro::ConnectDialog</name>
    <message>
        <source>Connect a client</source>
        <translation>İstemci bağla</translation>
    </message>
    <message>
        <source>Paste the user&apos;s token</source>
        <translation>Kullanıcının token&apos;ını yapıştırın</translation>
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
        <translation>OpenAI SDK (Python)</translation>
    </message>
    <message>
        <source>Ollama SDK and curl</source>
        <translation>Ollama SDK ve curl</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Model:</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopyala</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Panoya kopyalandı.</translation>
    </message>
    <message>
        <source>Run in a terminal, or put into a script:</source>
        <translation>Bir terminalde çalıştırın veya bir betiğe ekleyin:</translation>
    </message>
    <message>
        <source>Add to the configuration file named in the first line:</source>
        <translation>İlk satırda adı geçen yapılandırma dosyasına ekleyin:</translation>
    </message>
    <message>
        <source>Enter in the tool&apos;s settings:</source>
        <translation>Aracın ayarlarına girin:</translation>
    </message>
</context>
<context>
    <name>Maestro::DashboardPage</name>
    <message>
        <source>Nodes</source>
        <translation>Düğümler</translation>
    </message>
    <message>
        <source>Requests today</source>
        <translation>Bugünkü istekler</translation>
    </message>
    <message>
        <source>Tokens today</source>
        <translation>Bugünkü tokenlar</translation>
    </message>
    <message>
        <source>Active requests</source>
        <translation>Etkin istekler</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Kullanıcı</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>İstekler</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokenlar</translation>
    </message>
    <message>
        <source>Top users (24 h)</source>
        <translation>En etkin kullanıcılar (24 sa)</translation>
    </message>
    <message>
        <source>Top models (24 h)</source>
        <translation>En çok kullanılan modeller (24 sa)</translation>
    </message>
    <message>
        <source>Requests per hour, last 24 hours</source>
        <translation>Saatlik istekler, son 24 saat</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>No nodes yet</source>
        <translation>Henüz düğüm yok</translation>
    </message>
    <message numerus="yes">
        <source>%n down</source>
        <translation>
            <numerusform>%n çalışmıyor</numerusform>
        </translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>sağlıklı</translation>
    </message>
    <message>
        <source>in flight now</source>
        <translation>şu anda işleniyor</translation>
    </message>
    <message>
        <source>since midnight</source>
        <translation>gece yarısından beri</translation>
    </message>
    <message>
        <source>prompt and completion</source>
        <translation>istem ve yanıt</translation>
    </message>
</context>
<context>
    <name>Maestro::FirstRunWizard</name>
    <message>
        <source>Set up Model Maestro</source>
        <translation>Model Maestro&apos;yu kur</translation>
    </message>
    <message>
        <source>Welcome to Model Maestro</source>
        <translation>Model Maestro&apos;ya hoş geldiniz</translation>
    </message>
    <message>
        <source>One authenticated gateway for every LLM your team uses.</source>
        <translation>Ekibinizin kullandığı her LLM için kimlik doğrulamalı tek bir ağ geçidi.</translation>
    </message>
    <message>
        <source>The gateway is running at &lt;b&gt;%1&lt;/b&gt;. In the next steps you add the first server that runs models (a &lt;i&gt;node&lt;/i&gt;) and the first user.</source>
        <translation>Ağ geçidi &lt;b&gt;%1&lt;/b&gt; adresinde çalışıyor. Sonraki adımlarda modelleri çalıştıran ilk sunucuyu (bir &lt;i&gt;düğüm&lt;/i&gt;) ve ilk kullanıcıyı eklersiniz.</translation>
    </message>
    <message>
        <source>Scripts and the admin API authenticate with the &lt;b&gt;admin token&lt;/b&gt;. Keep it private; it is stored in the system keychain.</source>
        <translation>Betikler ve yönetim API&apos;si &lt;b&gt;yönetici token&apos;ı&lt;/b&gt; ile kimlik doğrular. Gizli tutun; sistem anahtar zincirinde saklanır.</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>&amp;Göster</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopyala</translation>
    </message>
    <message>
        <source>Add a first node</source>
        <translation>İlk düğümü ekle</translation>
    </message>
    <message>
        <source>An Ollama server or an OpenAI-compatible one (vLLM, LM Studio, llama.cpp). You can skip this and add nodes later.</source>
        <translation>Bir Ollama sunucusu veya OpenAI uyumlu bir sunucu (vLLM, LM Studio, llama.cpp). Bu adımı atlayıp düğümleri daha sonra ekleyebilirsiniz.</translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation>Ollama</translation>
    </message>
    <message>
        <source>OpenAI-compatible</source>
        <translation>OpenAI uyumlu</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>İsteğe bağlı</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>Bağlantıyı &amp;sına</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Ad:</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adres:</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Tür:</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API &amp;anahtarı:</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Bağlanıyor…</translation>
    </message>
    <message>
        <source>Connected. The node answers.</source>
        <translation>Bağlandı. Düğüm yanıt veriyor.</translation>
    </message>
    <message>
        <source>No answer: %1</source>
        <translation>Yanıt yok: %1</translation>
    </message>
    <message>
        <source>Create a first user</source>
        <translation>İlk kullanıcıyı oluştur</translation>
    </message>
    <message>
        <source>Each person or tool gets a user with its own token, model list and limits.</source>
        <translation>Her kişi veya araç kendi token&apos;ı, model listesi ve sınırları olan bir kullanıcı alır.</translation>
    </message>
    <message>
        <source>e.g. alice</source>
        <translation>ör. alice</translation>
    </message>
    <message>
        <source>C&amp;reate user</source>
        <translation>Kullanıcı &amp;oluştur</translation>
    </message>
    <message>
        <source>The token appears here, once.</source>
        <translation>Token burada bir kez görünür.</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Kullanıcı adı:</translation>
    </message>
    <message>
        <source>Token:</source>
        <translation>Token:</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Panoya kopyalandı.</translation>
    </message>
    <message>
        <source>%1 may use every model. Copy the token now: it is not shown again.</source>
        <translation>%1 her modeli kullanabilir. Token&apos;ı şimdi kopyalayın: bir daha gösterilmeyecek.</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Hazır</translation>
    </message>
    <message>
        <source>The gateway keeps running while this window is closed.</source>
        <translation>Bu pencere kapalıyken de ağ geçidi çalışmaya devam eder.</translation>
    </message>
    <message>
        <source>Point a tool at the gateway with the user&apos;s token: Claude Code, Codex, Cursor, Continue, Cline or any Ollama or OpenAI client.</source>
        <translation>Bir aracı kullanıcının token&apos;ı ile ağ geçidine yönlendirin: Claude Code, Codex, Cursor, Continue, Cline veya herhangi bir Ollama ya da OpenAI istemcisi.</translation>
    </message>
    <message>
        <source>Connect a &amp;client…</source>
        <translation>&amp;İstemci bağla…</translation>
    </message>
</context>
<context>
    <name>Maestro::GatewayConnectDialog</name>
    <message>
        <source>&amp;Forget</source>
        <translation>U&amp;nut</translation>
    </message>
    <message>
        <source>&amp;Remember the token in the keychain</source>
        <translation>Token&apos;ı anahtar zincirinde &amp;hatırla</translation>
    </message>
    <message>
        <source>Trust t&amp;his certificate</source>
        <translation>Bu sertifikaya &amp;güven</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Bağlan</translation>
    </message>
    <message>
        <source>Connect to gateway</source>
        <translation>Ağ geçidine bağlan</translation>
    </message>
    <message>
        <source>No recent gateway</source>
        <translation>Son kullanılan ağ geçidi yok</translation>
    </message>
    <message>
        <source>Remove this gateway from the list, and its token from the keychain</source>
        <translation>Bu ağ geçidini listeden, token&apos;ını anahtar zincirinden kaldır</translation>
    </message>
    <message>
        <source>e.g. https://192.168.1.10:8443</source>
        <translation>ör. https://192.168.1.10:8443</translation>
    </message>
    <message>
        <source>The gateway&apos;s admin token</source>
        <translation>Ağ geçidinin yönetici token&apos;ı</translation>
    </message>
    <message>
        <source>On the gateway&apos;s machine: model-maestro --print-admin-token</source>
        <translation>Ağ geçidinin makinesinde: model-maestro --print-admin-token</translation>
    </message>
    <message>
        <source>Kept in %1, never in the settings file</source>
        <translation>%1 içinde saklanır, asla ayar dosyasında değil</translation>
    </message>
    <message>
        <source>Remember this certificate&apos;s fingerprint for this address and connect</source>
        <translation>Bu sertifikanın parmak izini bu adres için hatırla ve bağlan</translation>
    </message>
    <message>
        <source>Recent &amp;gateways:</source>
        <translation>&amp;Son ağ geçitleri:</translation>
    </message>
    <message>
        <source>Gateway &amp;URL:</source>
        <translation>Ağ geçidi &amp;URL&apos;si:</translation>
    </message>
    <message>
        <source>Admin &amp;token:</source>
        <translation>Yönetici &amp;token&apos;ı:</translation>
    </message>
    <message>
        <source>Manage a Model Maestro gateway that runs elsewhere, e.g. on a server of your LAN, through its admin API. It must run the same version as this app.</source>
        <translation>Başka bir yerde, ör. yerel ağınızdaki bir sunucuda çalışan bir Model Maestro ağ geçidini yönetim API&apos;si üzerinden yönetin. Bu uygulamayla aynı sürümü çalıştırmalıdır.</translation>
    </message>
    <message>
        <source>%1 (trusted certificate)</source>
        <translation>%1 (güvenilen sertifika)</translation>
    </message>
    <message>
        <source>Type the gateway&apos;s address as http://host:port or https://host:port.</source>
        <translation>Ağ geçidinin adresini http://sunucu:port veya https://sunucu:port biçiminde yazın.</translation>
    </message>
    <message>
        <source>Type the gateway&apos;s admin token.</source>
        <translation>Ağ geçidinin yönetici token&apos;ını yazın.</translation>
    </message>
    <message>
        <source>Trust it only if the gateway&apos;s machine shows the same fingerprint (it prints it at start, and openssl x509 -fingerprint -sha256 shows it).</source>
        <translation>Yalnızca ağ geçidinin makinesi aynı parmak izini gösteriyorsa güvenin (ağ geçidi başlarken yazdırır, openssl x509 -fingerprint -sha256 de gösterir).</translation>
    </message>
</context>
<context>
    <name>Maestro::GroupDialog</name>
    <message>
        <source>Clients can &amp;request this group</source>
        <translation>İstemciler bu grubu &amp;kullanabilir</translation>
    </message>
    <message>
        <source>&amp;List in the model catalog (/api/tags, /v1/models)</source>
        <translation>Model kataloğunda &amp;listele (/api/tags, /v1/models)</translation>
    </message>
    <message>
        <source>Edit group %1</source>
        <translation>%1 grubunu düzenle</translation>
    </message>
    <message>
        <source>New model group</source>
        <translation>Yeni model grubu</translation>
    </message>
    <message>
        <source>The name clients request like a model, e.g. coding</source>
        <translation>İstemcilerin model gibi istediği ad, ör. coding</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>İsteğe bağlı</translation>
    </message>
    <message>
        <source>Default (5)</source>
        <translation>Varsayılan (5)</translation>
    </message>
    <message>
        <source>How many other members a failed request may try; 0 uses the default of 5</source>
        <translation>Başarısız bir isteğin kaç başka üyeyi deneyebileceği; 0 varsayılan değer olan 5’i kullanır</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Ad:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>A&amp;çıklama:</translation>
    </message>
    <message>
        <source>&amp;Strategy:</source>
        <translation>&amp;Strateji:</translation>
    </message>
    <message>
        <source>Max failover &amp;retries:</source>
        <translation>En fazla yedeğe geçiş &amp;denemesi:</translation>
    </message>
    <message>
        <source>Round robin</source>
        <translation>Sırayla</translation>
    </message>
    <message>
        <source>Weighted</source>
        <translation>Ağırlıklı</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Öncelik</translation>
    </message>
    <message>
        <source>Takes turns: each request goes to the next active member.</source>
        <translation>Sırayla: her istek bir sonraki etkin üyeye gider.</translation>
    </message>
    <message>
        <source>Picks a member at random, in proportion to its weight.</source>
        <translation>Ağırlığıyla orantılı olarak rastgele bir üye seçer.</translation>
    </message>
    <message>
        <source>Always the first member in the list; the others only when it fails.</source>
        <translation>Her zaman listedeki ilk üye; diğerleri yalnızca o başarısız olursa.</translation>
    </message>
</context>
<context>
    <name>Maestro::GroupsPage</name>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Düzenle…</translation>
    </message>
    <message>
        <source>Disa&amp;ble</source>
        <translation>Devre dışı &amp;bırak</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Sil</translation>
    </message>
    <message>
        <source>&amp;Add member…</source>
        <translation>Üye e&amp;kle…</translation>
    </message>
    <message>
        <source>Edi&amp;t member…</source>
        <translation>Üyeyi düze&amp;nle…</translation>
    </message>
    <message>
        <source>&amp;Remove member</source>
        <translation>Üyeyi çıka&amp;r</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>Y&amp;ukarı taşı</translation>
    </message>
    <message>
        <source>Move do&amp;wn</source>
        <translation>&amp;Aşağı taşı</translation>
    </message>
    <message>
        <source>&amp;New group…</source>
        <translation>&amp;Yeni grup…</translation>
    </message>
    <message>
        <source>Create a name clients request like a model, served by several models (Ctrl+N)</source>
        <translation>İstemcilerin model gibi istediği, birden çok modelin hizmet verdiği bir ad oluştur (Ctrl+N)</translation>
    </message>
    <message>
        <source>Try this member earlier (Ctrl+Up)</source>
        <translation>Bu üyeyi daha önce dene (Ctrl+Yukarı)</translation>
    </message>
    <message>
        <source>Try this member later (Ctrl+Down)</source>
        <translation>Bu üyeyi daha sonra dene (Ctrl+Aşağı)</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Grup</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>Strateji</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Üyeler</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Model groups</source>
        <translation>Model grupları</translation>
    </message>
    <message>
        <source>Requests try the members from the top down. Drag a member to change the order.</source>
        <translation>İstekler üyeleri yukarıdan aşağıya dener. Sırayı değiştirmek için bir üyeyi sürükleyin.</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Etkin</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Devre dışı</translation>
    </message>
    <message>
        <source>Listed</source>
        <translation>Listeleniyor</translation>
    </message>
    <message>
        <source>Hidden</source>
        <translation>Gizli</translation>
    </message>
    <message>
        <source>Members (select a group)</source>
        <translation>Üyeler (bir grup seçin)</translation>
    </message>
    <message>
        <source>Members of %1 in fallback order</source>
        <translation>%1 üyeleri, yedeğe geçiş sırasıyla</translation>
    </message>
    <message>
        <source>Ena&amp;ble</source>
        <translation>&amp;Etkinleştir</translation>
    </message>
    <message>
        <source>Could not save the group</source>
        <translation>Grup kaydedilemedi</translation>
    </message>
    <message>
        <source>Could not change the group</source>
        <translation>Grup değiştirilemedi</translation>
    </message>
    <message>
        <source>Delete group</source>
        <translation>Grubu sil</translation>
    </message>
    <message>
        <source>Delete the group %1? Clients requesting it get &quot;model not found&quot;; its members stay available under their own names.</source>
        <translation>%1 grubu silinsin mi? Onu isteyen istemciler &quot;model bulunamadı&quot; yanıtı alır; üyeleri kendi adlarıyla kullanılabilir kalır.</translation>
    </message>
    <message>
        <source>Could not delete the group</source>
        <translation>Grup silinemedi</translation>
    </message>
    <message>
        <source>Could not save the member</source>
        <translation>Üye kaydedilemedi</translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation>Üyeyi çıkar</translation>
    </message>
    <message>
        <source>Remove %1 from the group %2?</source>
        <translation>%1, %2 grubundan çıkarılsın mı?</translation>
    </message>
    <message>
        <source>Could not remove the member</source>
        <translation>Üye çıkarılamadı</translation>
    </message>
    <message>
        <source>Could not change the order</source>
        <translation>Sıra değiştirilemedi</translation>
    </message>
    <message>
        <source>Catalog</source>
        <translation>Katalog</translation>
    </message>
    <message>
        <source>Listed in the model catalog (/api/tags, /v1/models)</source>
        <translation>Model kataloğunda listelenir (/api/tags, /v1/models)</translation>
    </message>
</context>
<context>
    <name>Maestro::InProcessGatewayClient</name>
    <message>
        <source>this app&apos;s gateway</source>
        <translation>bu uygulamanın ağ geçidi</translation>
    </message>
    <message>
        <source>The gateway is not running</source>
        <translation>Ağ geçidi çalışmıyor</translation>
    </message>
</context>
<context>
    <name>Maestro::LogsPage</name>
    <message>
        <source>All users</source>
        <translation>Tüm kullanıcılar</translation>
    </message>
    <message>
        <source>&amp;Live</source>
        <translation>&amp;Canlı</translation>
    </message>
    <message>
        <source>Show new requests as they finish</source>
        <translation>Yeni istekleri tamamlandıkça göster</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Yenile</translation>
    </message>
    <message>
        <source>&amp;User:</source>
        <translation>&amp;Kullanıcı:</translation>
    </message>
    <message>
        <source>M&amp;odel:</source>
        <translation>M&amp;odel:</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zaman</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Kullanıcı</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Düğüm</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Uç nokta</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokenlar</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Süre</translation>
    </message>
    <message>
        <source>Select a request to see its details.</source>
        <translation>Ayrıntılarını görmek için bir istek seçin.</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>İşlem</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tür</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Nesne</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Ayrıntılar</translation>
    </message>
    <message>
        <source>Every administrative change, newest first. Secrets are never recorded.</source>
        <translation>Her yönetimsel değişiklik, en yenisi önce. Gizli bilgiler asla kaydedilmez.</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>İstekler</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Denetim günlüğü</translation>
    </message>
    <message>
        <source>%1 in / %2 out</source>
        <translation>%1 giriş / %2 çıkış</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) in total</source>
        <translation>
            <numerusform>toplam %n istek</numerusform>
        </translation>
    </message>
    <message>
        <source>Real model</source>
        <translation>Gerçek model</translation>
    </message>
    <message>
        <source>Streamed</source>
        <translation>Akışla</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>evet</translation>
    </message>
    <message>
        <source>no</source>
        <translation>hayır</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>İstem</translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation>%1 token</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>Yanıt</translation>
    </message>
    <message>
        <source>First byte</source>
        <translation>İlk bayt</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Hata</translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Herhangi biri</translation>
    </message>
    <message>
        <source>Any model</source>
        <translation>Tüm modeller</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Tüm durumlar</translation>
    </message>
    <message>
        <source>Any endpoint</source>
        <translation>Tüm uç noktalar</translation>
    </message>
    <message>
        <source>Part of the model&apos;s name, in any case</source>
        <translation>Model adının bir parçası, büyük/küçük harf fark etmez</translation>
    </message>
    <message>
        <source>A status (404), a class (4xx) or a list of them (401,403,5xx)</source>
        <translation>Bir durum (404), bir sınıf (4xx) veya bunların listesi (401,403,5xx)</translation>
    </message>
    <message>
        <source>Any client</source>
        <translation>Tüm istemciler</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>&amp;Durum:</translation>
    </message>
    <message>
        <source>&amp;Endpoint:</source>
        <translation>&amp;Uç nokta:</translation>
    </message>
    <message>
        <source>&amp;Client:</source>
        <translation>İs&amp;temci:</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Başlangıç:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>B&amp;itiş:</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Neden</translation>
    </message>
    <message>
        <source>Not a status: use 404, 4xx or a list such as 401,403,5xx</source>
        <translation>Durum değil: 404, 4xx veya 401,403,5xx gibi bir liste kullanın</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>İstemci</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Reddedildi</translation>
    </message>
    <message>
        <source>Not logged</source>
        <translation>Kaydedilmedi</translation>
    </message>
    <message numerus="yes">
        <source>%n more refusal(s) of this user just before</source>
        <translation>
            <numerusform>bu kullanıcının hemen öncesindeki %n reddi daha</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::MainWindow</name>
    <message>
        <source>Dashboard</source>
        <translation>Pano</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Kullanıcılar</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Düğümler</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modeller</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation>Günlükler</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ayarlar</translation>
    </message>
    <message>
        <source>%1 (Ctrl+%2)</source>
        <translation>%1 (Ctrl+%2)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Dosya</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>&amp;Yeni…</translation>
    </message>
    <message>
        <source>&amp;Connect a client…</source>
        <translation>&amp;İstemci bağla…</translation>
    </message>
    <message>
        <source>Setup &amp;wizard…</source>
        <translation>Kurulum &amp;sihirbazı…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Çıkış</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Görünüm</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Yardım</translation>
    </message>
    <message>
        <source>&amp;About Model Maestro</source>
        <translation>Model Maestro &amp;hakkında</translation>
    </message>
    <message>
        <source>About Model Maestro</source>
        <translation>Model Maestro hakkında</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Model Maestro %1&lt;/h3&gt;&lt;p&gt;One authenticated gateway for every LLM your team uses.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Model Maestro %1&lt;/h3&gt;&lt;p&gt;Ekibinizin kullandığı her LLM için kimlik doğrulamalı tek bir ağ geçidi.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Gateway at %1</source>
        <translation>Ağ geçidi: %1</translation>
    </message>
    <message>
        <source>Gateway stopped</source>
        <translation>Ağ geçidi durduruldu</translation>
    </message>
    <message numerus="yes">
        <source>%n active request(s)</source>
        <translation>
            <numerusform>%n etkin istek</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n node(s) down</source>
        <translation>
            <numerusform>%n düğüm çalışmıyor</numerusform>
        </translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>Gruplar</translation>
    </message>
    <message>
        <source>Policies</source>
        <translation>Politikalar</translation>
    </message>
    <message>
        <source>System prompts</source>
        <translation>Sistem istemleri</translation>
    </message>
    <message>
        <source>Create a user, node, mapping, group, model configuration or system prompt on the current page</source>
        <translation>Geçerli sayfada bir kullanıcı, düğüm, eşleme, grup, model yapılandırması veya sistem istemi oluştur</translation>
    </message>
    <message>
        <source>Gateway starting or stopping…</source>
        <translation>Ağ geçidi başlatılıyor veya durduruluyor…</translation>
    </message>
    <message>
        <source>Model Maestro — %1</source>
        <translation>Model Maestro — %1</translation>
    </message>
    <message>
        <source>Connect to &amp;gateway…</source>
        <translation>&amp;Ağ geçidine bağlan…</translation>
    </message>
    <message>
        <source>Manage a gateway that runs on another machine, over its admin API</source>
        <translation>Başka bir makinede çalışan ağ geçidini yönetim API&apos;si üzerinden yönet</translation>
    </message>
    <message>
        <source>&amp;This computer&apos;s gateway</source>
        <translation>&amp;Bu bilgisayarın ağ geçidi</translation>
    </message>
    <message>
        <source>%1: not reachable</source>
        <translation>%1: erişilemiyor</translation>
    </message>
</context>
<context>
    <name>Maestro::MappingDialog</name>
    <message>
        <source>Edit mapping %1</source>
        <translation>%1 eşlemesini düzenle</translation>
    </message>
    <message>
        <source>New model mapping</source>
        <translation>Yeni model eşlemesi</translation>
    </message>
    <message>
        <source>The name clients use, e.g. coder</source>
        <translation>İstemcilerin kullandığı ad, ör. coder</translation>
    </message>
    <message>
        <source>Optional, e.g. 32768, 128K or 1M</source>
        <translation>İsteğe bağlı, ör. 32768, 128K veya 1M</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>&amp;Görünen ad:</translation>
    </message>
    <message>
        <source>&amp;Real model:</source>
        <translation>Ge&amp;rçek model:</translation>
    </message>
    <message>
        <source>&amp;Context length:</source>
        <translation>&amp;Bağlam uzunluğu:</translation>
    </message>
    <message>
        <source>C&amp;apabilities:</source>
        <translation>&amp;Yetenekler:</translation>
    </message>
    <message>
        <source>Only on &amp;nodes:</source>
        <translation>Yalnızca şu &amp;düğümlerde:</translation>
    </message>
    <message>
        <source>None checked: any node that serves the real model.</source>
        <translation>Hiçbiri seçili değilse: gerçek modeli sunan herhangi bir düğüm.</translation>
    </message>
    <message>
        <source>The context length should look like 32768, 128K or 1M.</source>
        <translation>Bağlam uzunluğu 32768, 128K veya 1M gibi olmalıdır.</translation>
    </message>
</context>
<context>
    <name>Maestro::MemberDialog</name>
    <message>
        <source>&amp;Preferred nodes:</source>
        <translation>&amp;Tercih edilen düğümler:</translation>
    </message>
    <message>
        <source>Checked nodes are tried first, in this order; the member&apos;s other nodes follow.</source>
        <translation>İşaretli düğümler bu sırayla önce denenir; üyenin diğer düğümleri ardından gelir.</translation>
    </message>
    <message>
        <source>&amp;vision (images)</source>
        <translation>&amp;vision (görseller)</translation>
    </message>
    <message>
        <source>&amp;tools (function calls)</source>
        <translation>&amp;tools (işlev çağrıları)</translation>
    </message>
    <message>
        <source>&amp;embedding</source>
        <translation>&amp;embedding</translation>
    </message>
    <message>
        <source>A&amp;ctive</source>
        <translation>Et&amp;kin</translation>
    </message>
    <message>
        <source>&amp;Long-context fallback</source>
        <translation>&amp;Uzun bağlam yedeği</translation>
    </message>
    <message>
        <source>Edit member %1 of %2</source>
        <translation>%2 grubunun %1 üyesini düzenle</translation>
    </message>
    <message>
        <source>Add a member to %1</source>
        <translation>%1 grubuna üye ekle</translation>
    </message>
    <message>
        <source>A display name or a real model name</source>
        <translation>Bir görünen ad veya gerçek model adı</translation>
    </message>
    <message>
        <source>Share of requests under the weighted strategy</source>
        <translation>Ağırlıklı stratejide isteklerden alınan pay</translation>
    </message>
    <message>
        <source>Other tags, separated by commas</source>
        <translation>Diğer etiketler, virgülle ayrılmış</translation>
    </message>
    <message>
        <source>Takes requests the other members refuse as too long</source>
        <translation>Diğer üyelerin çok uzun diye reddettiği istekleri üstlenir</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Model:</translation>
    </message>
    <message>
        <source>&amp;Weight:</source>
        <translation>&amp;Ağırlık:</translation>
    </message>
    <message>
        <source>Capability tags:</source>
        <translation>Yetenek etiketleri:</translation>
    </message>
    <message>
        <source>&amp;Other tags:</source>
        <translation>&amp;Diğer etiketler:</translation>
    </message>
    <message>
        <source>Requests with images or tools go to members tagged vision or tools first.</source>
        <translation>Görsel veya araç içeren istekler önce vision veya tools etiketli üyelere gider.</translation>
    </message>
    <message>
        <source>A long-context fallback takes over when another member refuses a request as too long.</source>
        <translation>Uzun bağlam yedeği, başka bir üye bir isteği çok uzun diye reddettiğinde devralır.</translation>
    </message>
</context>
<context>
    <name>Maestro::MemberModel</name>
    <message>
        <source>Active</source>
        <translation>Etkin</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Devre dışı</translation>
    </message>
    <message>
        <source>Takes requests the other members refuse as too long</source>
        <translation>Diğer üyelerin çok uzun diye reddettiği istekleri üstlenir</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Öncelik</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Ağırlık</translation>
    </message>
    <message>
        <source>Capability tags</source>
        <translation>Yetenek etiketleri</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Long context</source>
        <translation>Uzun bağlam</translation>
    </message>
    <message>
        <source>Long-context fallback: takes requests the other members refuse as too long</source>
        <translation>Uzun bağlam yedeği: diğer üyelerin çok uzun diye reddettiği istekleri üstlenir</translation>
    </message>
    <message>
        <source>Fallback</source>
        <translation>Yedek</translation>
    </message>
</context>
<context>
    <name>Maestro::ModelConfigDialog</name>
    <message>
        <source>&amp;Under maintenance: refuse requests</source>
        <translation>&amp;Bakımda: istekleri reddet</translation>
    </message>
    <message>
        <source>&amp;Restrict tools</source>
        <translation>Araçla&amp;rı kısıtla</translation>
    </message>
    <message>
        <source>Edit configuration %1</source>
        <translation>%1 yapılandırmasını düzenle</translation>
    </message>
    <message>
        <source>New model configuration</source>
        <translation>Yeni model yapılandırması</translation>
    </message>
    <message>
        <source>e.g. llama3.2:latest or qwen*</source>
        <translation>ör. llama3.2:latest veya qwen*</translation>
    </message>
    <message>
        <source>Optional, e.g. Back at 14:00</source>
        <translation>İsteğe bağlı, ör. 14:00&apos;te geri</translation>
    </message>
    <message>
        <source>Tool names, separated by commas</source>
        <translation>Araç adları, virgülle ayrılmış</translation>
    </message>
    <message>
        <source>e.g. reasoning_effort, parallel_tool_calls</source>
        <translation>ör. reasoning_effort, parallel_tool_calls</translation>
    </message>
    <message>
        <source>Not set</source>
        <translation>Ayarlanmadı</translation>
    </message>
    <message>
        <source>Context length (Ollama num_ctx) when the client gives none: 32768, 32K or 1M</source>
        <translation>İstemci belirtmediğinde bağlam uzunluğu (Ollama num_ctx): 32768, 32K veya 1M</translation>
    </message>
    <message>
        <source>Largest context length (Ollama num_ctx) a client may ask for: 32768, 32K or 1M</source>
        <translation>Bir istemcinin isteyebileceği en büyük bağlam uzunluğu (Ollama num_ctx): 32768, 32K veya 1M</translation>
    </message>
    <message>
        <source>No tool sets yet</source>
        <translation>Henüz araç seti yok</translation>
    </message>
    <message>
        <source>A configuration keeps its pattern; create a new one for another.</source>
        <translation>Bir yapılandırma desenini korur; başka bir desen için yenisini oluşturun.</translation>
    </message>
    <message>
        <source>&amp;Model pattern:</source>
        <translation>&amp;Model deseni:</translation>
    </message>
    <message>
        <source>An exact name, or a prefix ending with *</source>
        <translation>Tam bir ad veya * ile biten bir önek</translation>
    </message>
    <message>
        <source>Maintenance messa&amp;ge:</source>
        <translation>Bakım mesa&amp;jı:</translation>
    </message>
    <message>
        <source>&amp;Allowed tools:</source>
        <translation>İzin verilen &amp;araçlar:</translation>
    </message>
    <message>
        <source>Tool &amp;sets:</source>
        <translation>Araç &amp;setleri:</translation>
    </message>
    <message>
        <source>When tools are restricted, only the allowed tools and those of the checked sets reach the model.</source>
        <translation>Araçlar kısıtlıysa modele yalnızca izin verilen araçlar ve işaretli setlerin araçları ulaşır.</translation>
    </message>
    <message>
        <source>S&amp;tripped parameters:</source>
        <translation>Ka&amp;ldırılan parametreler:</translation>
    </message>
    <message>
        <source>Request parameters removed before the request reaches the model, separated by commas.</source>
        <translation>İstek modele ulaşmadan önce kaldırılan istek parametreleri, virgülle ayrılmış.</translation>
    </message>
    <message>
        <source>&amp;Default context:</source>
        <translation>&amp;Varsayılan bağlam:</translation>
    </message>
    <message>
        <source>Ma&amp;ximum context:</source>
        <translation>Ma&amp;ksimum bağlam:</translation>
    </message>
    <message>
        <source>There is a configuration for %1 already; edit that one instead.</source>
        <translation>%1 için zaten bir yapılandırma var; onun yerine onu düzenleyin.</translation>
    </message>
    <message>
        <source>A pattern of * alone would match every model; name a prefix before it.</source>
        <translation>Yalnızca * deseni her modelle eşleşir; önüne bir önek yazın.</translation>
    </message>
    <message>
        <source>The default context is not a length (32768, 32K or 1M).</source>
        <translation>Varsayılan bağlam bir uzunluk değil (32768, 32K veya 1M).</translation>
    </message>
    <message>
        <source>The maximum context is not a length (32768, 32K or 1M).</source>
        <translation>Maksimum bağlam bir uzunluk değil (32768, 32K veya 1M).</translation>
    </message>
    <message>
        <source>The default context is larger than the maximum.</source>
        <translation>Varsayılan bağlam maksimumdan büyük.</translation>
    </message>
    <message>
        <source>Re&amp;quests per minute:</source>
        <translation>Dakikalık &amp;istek:</translation>
    </message>
    <message>
        <source>Tokens per m&amp;inute:</source>
        <translation>Dakikalık &amp;token:</translation>
    </message>
    <message>
        <source>For all users together, in any 60 seconds.</source>
        <translation>Tüm kullanıcılar için toplam, herhangi bir 60 saniyede.</translation>
    </message>
    <message>
        <source>&amp;Keep &lt;think&gt; tags in answers</source>
        <translation>Yanıtlarda &lt;think&gt; etiketlerini k&amp;oru</translation>
    </message>
    <message>
        <source>Reasoning the model writes between &lt;think&gt; and &lt;/think&gt; normally reaches each client in its own reasoning field; checked, the text is relayed as written.</source>
        <translation>Modelin &lt;think&gt; ile &lt;/think&gt; arasına yazdığı akıl yürütme normalde her istemciye kendi akıl yürütme alanında ulaşır; işaretliyse metin yazıldığı gibi iletilir.</translation>
    </message>
</context>
<context>
    <name>Maestro::ModelsPage</name>
    <message>
        <source>&amp;Map to a display name…</source>
        <translation>Bir görünen ada &amp;eşle…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Düzenle…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Sil</translation>
    </message>
    <message>
        <source>Node / model</source>
        <translation>Düğüm / model</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Boyut</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parametreler</translation>
    </message>
    <message>
        <source>Mapped as</source>
        <translation>Eşlendiği ad</translation>
    </message>
    <message>
        <source>Discovered on nodes</source>
        <translation>Düğümlerde bulunanlar</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>Görünen ad</translation>
    </message>
    <message>
        <source>Real model</source>
        <translation>Gerçek model</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Bağlam</translation>
    </message>
    <message>
        <source>Capabilities</source>
        <translation>Yetenekler</translation>
    </message>
    <message>
        <source>Nodes</source>
        <translation>Düğümler</translation>
    </message>
    <message>
        <source>&amp;New mapping…</source>
        <translation>&amp;Yeni eşleme…</translation>
    </message>
    <message>
        <source>Give a real model a name clients use (Ctrl+N)</source>
        <translation>Gerçek bir modele istemcilerin kullanacağı bir ad verin (Ctrl+N)</translation>
    </message>
    <message>
        <source>Display names</source>
        <translation>Görünen adlar</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s)</source>
        <translation>
            <numerusform>%n model</numerusform>
        </translation>
    </message>
    <message>
        <source>Any</source>
        <translation>Herhangi biri</translation>
    </message>
    <message>
        <source>Could not save the mapping</source>
        <translation>Eşleme kaydedilemedi</translation>
    </message>
    <message>
        <source>Delete mapping</source>
        <translation>Eşlemeyi sil</translation>
    </message>
    <message>
        <source>Delete the display name %1? Clients using it get &quot;model not found&quot;.</source>
        <translation>%1 görünen adı silinsin mi? Onu kullanan istemciler &quot;model bulunamadı&quot; hatası alır.</translation>
    </message>
    <message>
        <source>Could not delete the mapping</source>
        <translation>Eşleme silinemedi</translation>
    </message>
</context>
<context>
    <name>Maestro::NewUserDialog</name>
    <message>
        <source>Allow every model (can be narrowed later)</source>
        <translation>Her modele izin ver (daha sonra daraltılabilir)</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>Yeni kullanıcı</translation>
    </message>
    <message>
        <source>e.g. alice</source>
        <translation>ör. alice</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Kullanıcı adı:</translation>
    </message>
    <message>
        <source>The access token is shown once, right after the user is created.</source>
        <translation>Erişim token&apos;ı kullanıcı oluşturulduktan hemen sonra bir kez gösterilir.</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Oluştur</translation>
    </message>
</context>
<context>
    <name>Maestro::NodeDialog</name>
    <message>
        <source>Edit node %1</source>
        <translation>%1 düğümünü düzenle</translation>
    </message>
    <message>
        <source>Add node</source>
        <translation>Düğüm ekle</translation>
    </message>
    <message>
        <source>e.g. gpu-1</source>
        <translation>ör. gpu-1</translation>
    </message>
    <message>
        <source>e.g. http://10.0.0.5:11434</source>
        <translation>ör. http://10.0.0.5:11434</translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation>Ollama</translation>
    </message>
    <message>
        <source>OpenAI-compatible (vLLM, LM Studio, llama.cpp, hosted)</source>
        <translation>OpenAI uyumlu (vLLM, LM Studio, llama.cpp, barındırılan)</translation>
    </message>
    <message>
        <source>Stored; type to replace</source>
        <translation>Kayıtlı; değiştirmek için yazın</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>İsteğe bağlı</translation>
    </message>
    <message>
        <source>Higher is preferred by the priority strategy and for failover</source>
        <translation>Yüksek olan, öncelik stratejisinde ve yedeğe geçişte tercih edilir</translation>
    </message>
    <message>
        <source>Share of requests under the weighted strategy; 0 never picks this node</source>
        <translation>Ağırlıklı stratejide isteklerin payı; 0 bu düğümü hiç seçmez</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Ad:</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>&amp;Adres:</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Tür:</translation>
    </message>
    <message>
        <source>API &amp;key:</source>
        <translation>API &amp;anahtarı:</translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation>&amp;Öncelik:</translation>
    </message>
    <message>
        <source>&amp;Weight:</source>
        <translation>&amp;Ağırlık:</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Ekle</translation>
    </message>
    <message>
        <source>Load the node&apos;s models &amp;before they are asked for</source>
        <translation>Düğümün modellerini istenmeden ö&amp;nce yükle</translation>
    </message>
    <message>
        <source>Ollama nodes: load each discovered model when it is found and on the warmup schedule, while the node has no requests to serve</source>
        <translation>Ollama düğümleri: bulunan her modeli bulunduğunda ve ısınma takvimine göre, düğümün sunacağı istek yokken yükle</translation>
    </message>
    <message>
        <source>Warmup:</source>
        <translation>Isınma:</translation>
    </message>
    <message>
        <source>&amp;Update the node&apos;s models on each periodic check</source>
        <translation>Her periyodik denetimde düğümün modellerini güncell&amp;e</translation>
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
        <translation>ör. us-east-1</translation>
    </message>
    <message>
        <source>IAM credentials, or an API key above</source>
        <translation>IAM kimlik bilgileri veya yukarıda bir API anahtarı</translation>
    </message>
    <message>
        <source>Only for temporary credentials</source>
        <translation>Yalnızca geçici kimlik bilgileri için</translation>
    </message>
    <message>
        <source>One model id or inference profile per line, e.g.
anthropic.claude-3-5-sonnet-20240620-v1:0</source>
        <translation>Satır başına bir model kimliği veya çıkarım profili, ör.
anthropic.claude-3-5-sonnet-20240620-v1:0</translation>
    </message>
    <message>
        <source>Header</source>
        <translation>Başlık</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Değer</translation>
    </message>
    <message>
        <source>Secret</source>
        <translation>Gizli</translation>
    </message>
    <message>
        <source>Sent on every request to the node: chats, model lists, health checks, pulls</source>
        <translation>Düğüme giden her istekte gönderilir: sohbetler, model listeleri, durum denetimleri, indirmeler</translation>
    </message>
    <message>
        <source>A&amp;dd header</source>
        <translation>Başlık e&amp;kle</translation>
    </message>
    <message>
        <source>Remo&amp;ve header</source>
        <translation>Başlığı ka&amp;ldır</translation>
    </message>
    <message>
        <source>Optional; e.g. http://10.0.0.5:8080/health (2xx is healthy)</source>
        <translation>İsteğe bağlı; ör. http://10.0.0.5:8080/health (2xx sağlıklı demektir)</translation>
    </message>
    <message>
        <source>Empty: the node&apos;s model list is its health check</source>
        <translation>Boş: düğümün model listesi durum denetimi olarak kullanılır</translation>
    </message>
    <message>
        <source>Off: the models stay as they are until you sync them by hand</source>
        <translation>Kapalı: modelleri elle eşitleyene kadar modeller olduğu gibi kalır</translation>
    </message>
    <message>
        <source>Hea&amp;lth check:</source>
        <translation>Durum &amp;denetimi:</translation>
    </message>
    <message>
        <source>Model sync:</source>
        <translation>Model eşitleme:</translation>
    </message>
    <message>
        <source>&amp;Region:</source>
        <translation>&amp;Bölge:</translation>
    </message>
    <message>
        <source>Access key &amp;ID:</source>
        <translation>Erişim anahtarı k&amp;imliği:</translation>
    </message>
    <message>
        <source>&amp;Secret access key:</source>
        <translation>&amp;Gizli erişim anahtarı:</translation>
    </message>
    <message>
        <source>Session &amp;token:</source>
        <translation>Oturum t&amp;oken&apos;ı:</translation>
    </message>
    <message>
        <source>&amp;Models:</source>
        <translation>&amp;Modeller:</translation>
    </message>
    <message>
        <source>Request headers:</source>
        <translation>İstek başlıkları:</translation>
    </message>
    <message>
        <source>API keys and secret header values are kept in the system keychain, never in the database.</source>
        <translation>API anahtarları ve gizli başlık değerleri veritabanında değil, her zaman sistem anahtar zincirinde saklanır.</translation>
    </message>
    <message>
        <source>e.g. X-Org</source>
        <translation>ör. X-Org</translation>
    </message>
</context>
<context>
    <name>Maestro::NodesPage</name>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Düzenle…</translation>
    </message>
    <message>
        <source>Disa&amp;ble</source>
        <translation>&amp;Devre dışı bırak</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>Şimdi &amp;eşitle</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Sil</translation>
    </message>
    <message>
        <source>&amp;Add node…</source>
        <translation>Düğüm &amp;ekle…</translation>
    </message>
    <message>
        <source>Add an Ollama or OpenAI-compatible server (Ctrl+N)</source>
        <translation>Bir Ollama veya OpenAI uyumlu sunucu ekle (Ctrl+N)</translation>
    </message>
    <message>
        <source>Check health and discover models now</source>
        <translation>Durumu şimdi denetle ve modelleri keşfet</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Düğüm</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tür</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adres</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modeller</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Öncelik</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Ağırlık</translation>
    </message>
    <message>
        <source>Last check</source>
        <translation>Son denetim</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Son hata</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Boyut</translation>
    </message>
    <message>
        <source>Family</source>
        <translation>Aile</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parametreler</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Nicemleme</translation>
    </message>
    <message>
        <source>No nodes yet. Add the Ollama or OpenAI-compatible servers your team uses.</source>
        <translation>Henüz düğüm yok. Ekibinizin kullandığı Ollama veya OpenAI uyumlu sunucuları ekleyin.</translation>
    </message>
    <message>
        <source>Discovered models</source>
        <translation>Bulunan modeller</translation>
    </message>
    <message numerus="yes">
        <source>Models discovered on %1 (%n)</source>
        <translation>
            <numerusform>%1 üzerinde bulunan modeller (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>Ena&amp;ble</source>
        <translation>&amp;Etkinleştir</translation>
    </message>
    <message>
        <source>Could not add the node</source>
        <translation>Düğüm eklenemedi</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>%1 denetleniyor…</translation>
    </message>
    <message>
        <source>%1 answers; its models are listed below.</source>
        <translation>%1 yanıt veriyor; modelleri aşağıda listeleniyor.</translation>
    </message>
    <message>
        <source>%1 does not answer: %2</source>
        <translation>%1 yanıt vermiyor: %2</translation>
    </message>
    <message>
        <source>Could not change the node</source>
        <translation>Düğüm değiştirilemedi</translation>
    </message>
    <message>
        <source>Delete node</source>
        <translation>Düğümü sil</translation>
    </message>
    <message>
        <source>Delete %1? Requests stop going to it; its API key is removed from the keychain.</source>
        <translation>%1 silinsin mi? İstekler artık ona gitmez; API anahtarı anahtar zincirinden kaldırılır.</translation>
    </message>
    <message>
        <source>Could not delete the node</source>
        <translation>Düğüm silinemedi</translation>
    </message>
    <message>
        <source>%1 is healthy; models are up to date.</source>
        <translation>%1 sağlıklı; modeller güncel.</translation>
    </message>
    <message>
        <source>&amp;Pull model…</source>
        <translation>Model &amp;indir…</translation>
    </message>
    <message>
        <source>Download a model onto the selected Ollama node or onto all of them</source>
        <translation>Seçili Ollama düğümüne veya hepsine bir model indir</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Etkin</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Bugün</translation>
    </message>
    <message>
        <source>Avg latency</source>
        <translation>Ort. gecikme</translation>
    </message>
    <message>
        <source>Requests in flight now, model warmups included</source>
        <translation>Şu anda işlenen istekler, model ısınmaları dahil</translation>
    </message>
    <message>
        <source>Requests served today (UTC), failed ones included</source>
        <translation>Bugün (UTC) sunulan istekler, başarısız olanlar dahil</translation>
    </message>
    <message>
        <source>Average duration of today&apos;s requests, streams until their end</source>
        <translation>Bugünkü isteklerin ortalama süresi, akışlar sonuna kadar</translation>
    </message>
    <message>
        <source>%1 (%2 failed)</source>
        <translation>%1 (%2 başarısız)</translation>
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
        <translation>&amp;Düzenle…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Sil</translation>
    </message>
    <message>
        <source>Edi&amp;t…</source>
        <translation>Düzen&amp;le…</translation>
    </message>
    <message>
        <source>De&amp;lete</source>
        <translation>S&amp;il</translation>
    </message>
    <message>
        <source>&amp;New configuration…</source>
        <translation>&amp;Yeni yapılandırma…</translation>
    </message>
    <message>
        <source>Set maintenance, tools, parameters and context lengths for a model or a model prefix (Ctrl+N)</source>
        <translation>Bir model veya model öneki için bakım, araçlar, parametreler ve bağlam uzunluklarını ayarla (Ctrl+N)</translation>
    </message>
    <message>
        <source>New tool &amp;set…</source>
        <translation>Yeni araç se&amp;ti…</translation>
    </message>
    <message>
        <source>Name a list of tools that model configurations can allow together</source>
        <translation>Model yapılandırmalarının birlikte izin verebileceği bir araç listesine ad ver</translation>
    </message>
    <message>
        <source>Pattern</source>
        <translation>Desen</translation>
    </message>
    <message>
        <source>Maintenance</source>
        <translation>Bakım</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Araçlar</translation>
    </message>
    <message>
        <source>Stripped parameters</source>
        <translation>Kaldırılan parametreler</translation>
    </message>
    <message>
        <source>Context default / max</source>
        <translation>Bağlam varsayılan / maks.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Ad</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Açıklama</translation>
    </message>
    <message>
        <source>Model configuration</source>
        <translation>Model yapılandırması</translation>
    </message>
    <message>
        <source>Tool sets</source>
        <translation>Araç setleri</translation>
    </message>
    <message>
        <source>A configuration applies to the model it names, or to every model starting with a prefix ending in *.</source>
        <translation>Bir yapılandırma adını verdiği modele veya * ile biten bir önekle başlayan her modele uygulanır.</translation>
    </message>
    <message>
        <source>all</source>
        <translation>tümü</translation>
    </message>
    <message>
        <source>set %1</source>
        <translation>set %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>hiçbiri</translation>
    </message>
    <message>
        <source>only: %1</source>
        <translation>yalnızca: %1</translation>
    </message>
    <message>
        <source>Serving</source>
        <translation>Hizmette</translation>
    </message>
    <message>
        <source>Could not save the model configuration</source>
        <translation>Model yapılandırması kaydedilemedi</translation>
    </message>
    <message>
        <source>Delete model configuration</source>
        <translation>Model yapılandırmasını sil</translation>
    </message>
    <message>
        <source>Delete the configuration for %1? Matching models are served without it.</source>
        <translation>%1 yapılandırması silinsin mi? Eşleşen modeller onsuz sunulur.</translation>
    </message>
    <message>
        <source>Could not delete the model configuration</source>
        <translation>Model yapılandırması silinemedi</translation>
    </message>
    <message>
        <source>Could not save the tool set</source>
        <translation>Araç seti kaydedilemedi</translation>
    </message>
    <message>
        <source>Delete tool set</source>
        <translation>Araç setini sil</translation>
    </message>
    <message>
        <source>Delete the tool set %1? Configurations that allow it no longer pass its tools.</source>
        <translation>%1 araç seti silinsin mi? Ona izin veren yapılandırmalar artık araçlarını geçirmez.</translation>
    </message>
    <message>
        <source>Could not delete the tool set</source>
        <translation>Araç seti silinemedi</translation>
    </message>
    <message>
        <source>Per minute</source>
        <translation>Dakikalık</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s)</source>
        <translation>
            <numerusform>%n istek</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
        </translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>Sınırsız</translation>
    </message>
</context>
<context>
    <name>Maestro::PullModelDialog</name>
    <message>
        <source>&amp;Pull</source>
        <translation>&amp;İndir</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>İptal</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Kapat</translation>
    </message>
    <message>
        <source>Pull model</source>
        <translation>Model indir</translation>
    </message>
    <message>
        <source>e.g. llama3.2:3b</source>
        <translation>ör. llama3.2:3b</translation>
    </message>
    <message numerus="yes">
        <source>All active Ollama nodes (%n)</source>
        <translation>
            <numerusform>Tüm etkin Ollama düğümleri (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (disabled)</source>
        <translation>%1 (devre dışı)</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Model:</translation>
    </message>
    <message>
        <source>&amp;Onto:</source>
        <translation>&amp;Hedef:</translation>
    </message>
    <message>
        <source>Each node downloads the model from its registry (ollama.com unless the name says otherwise). Large models take a while.</source>
        <translation>Her düğüm modeli kendi kayıt deposundan indirir (ad aksini belirtmedikçe ollama.com). Büyük modeller biraz zaman alır.</translation>
    </message>
    <message>
        <source>There is no Ollama node: only Ollama nodes can pull models.</source>
        <translation>Ollama düğümü yok: yalnızca Ollama düğümleri model indirebilir.</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Başlatılıyor…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>İptal ediliyor…</translation>
    </message>
    <message>
        <source>Pulling %1…</source>
        <translation>%1 indiriliyor…</translation>
    </message>
    <message>
        <source>Waiting for the node…</source>
        <translation>Düğüm bekleniyor…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Tamamlandı</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>İptal edildi</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Başarısız</translation>
    </message>
    <message>
        <source>Cancelled: %1 was not pulled.</source>
        <translation>İptal edildi: %1 indirilmedi.</translation>
    </message>
    <message numerus="yes">
        <source>%1 is on %n node(s); their model lists are being refreshed.</source>
        <translation>
            <numerusform>%1 artık %n düğümde; model listeleri yenileniyor.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Pulling %1 failed on %2 of %n node(s).</source>
        <translation>
            <numerusform>%1, %n düğümün %2 tanesinde indirilemedi.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::RemoteGatewayClient</name>
    <message>
        <source>the service on this computer (%1)</source>
        <translation>bu bilgisayardaki hizmet (%1)</translation>
    </message>
    <message>
        <source>the gateway on this computer (%1)</source>
        <translation>bu bilgisayardaki ağ geçidi (%1)</translation>
    </message>
    <message>
        <source>The gateway&apos;s answer could not be read: %1</source>
        <translation>Ağ geçidinin yanıtı okunamadı: %1</translation>
    </message>
    <message>
        <source>The gateway ended the pull before it began.</source>
        <translation>Ağ geçidi indirmeyi başlamadan bitirdi.</translation>
    </message>
    <message>
        <source>The gateway ended the pull.</source>
        <translation>Ağ geçidi indirmeyi bitirdi.</translation>
    </message>
    <message>
        <source>systemctl failed: %1</source>
        <translation>systemctl başarısız oldu: %1</translation>
    </message>
    <message>
        <source>exit code %1</source>
        <translation>çıkış kodu %1</translation>
    </message>
    <message>
        <source>systemctl could not be run: %1</source>
        <translation>systemctl çalıştırılamadı: %1</translation>
    </message>
    <message>
        <source>The service did not answer after it was started: %1</source>
        <translation>Hizmet başlatıldıktan sonra yanıt vermedi: %1</translation>
    </message>
    <message>
        <source>The service still answers after it was stopped.</source>
        <translation>Hizmet durdurulduktan sonra hâlâ yanıt veriyor.</translation>
    </message>
    <message>
        <source>The gateway is stopped.</source>
        <translation>Ağ geçidi durduruldu.</translation>
    </message>
</context>
<context>
    <name>Maestro::SettingsPage</name>
    <message>
        <source>Start minimized to the tray</source>
        <translation>Sistem tepsisinde simge durumunda başlat</translation>
    </message>
    <message>
        <source>Least busy</source>
        <translation>En az meşgul</translation>
    </message>
    <message>
        <source>Round robin</source>
        <translation>Sırayla</translation>
    </message>
    <message>
        <source>Weighted</source>
        <translation>Ağırlıklı</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Öncelik</translation>
    </message>
    <message>
        <source> MiB</source>
        <translation> MiB</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Sistem varsayılanı</translation>
    </message>
    <message>
        <source>This desktop has no system tray.</source>
        <translation>Bu masaüstünde sistem tepsisi yok.</translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation>Ağ geçidi</translation>
    </message>
    <message>
        <source>&amp;Listen address:</source>
        <translation>&amp;Dinleme adresi:</translation>
    </message>
    <message>
        <source>HOST:PORT, e.g. 0.0.0.0:8000 to serve the LAN. Takes effect after a restart; --listen on the command line wins.</source>
        <translation>HOST:PORT, ör. yerel ağa hizmet için 0.0.0.0:8000. Yeniden başlatmadan sonra geçerli olur; komut satırındaki --listen önceliklidir.</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>Veritabanı:</translation>
    </message>
    <message>
        <source>&amp;Routing strategy:</source>
        <translation>&amp;Yönlendirme stratejisi:</translation>
    </message>
    <message>
        <source>How the first node is picked; the others are the failover order.</source>
        <translation>İlk düğümün nasıl seçildiği; diğerleri yedeğe geçiş sırasıdır.</translation>
    </message>
    <message>
        <source>&amp;Largest request body:</source>
        <translation>&amp;En büyük istek gövdesi:</translation>
    </message>
    <message>
        <source>Desktop</source>
        <translation>Masaüstü</translation>
    </message>
    <message>
        <source>Lan&amp;guage:</source>
        <translation>D&amp;il:</translation>
    </message>
    <message>
        <source>Applied after a restart.</source>
        <translation>Yeniden başlatmadan sonra uygulanır.</translation>
    </message>
    <message>
        <source>&amp;Apply</source>
        <translation>&amp;Uygula</translation>
    </message>
    <message>
        <source>Re&amp;vert</source>
        <translation>&amp;Geri al</translation>
    </message>
    <message>
        <source>Could not save the settings</source>
        <translation>Ayarlar kaydedilemedi</translation>
    </message>
    <message>
        <source>Saved. Some changes take effect after a restart.</source>
        <translation>Kaydedildi. Bazı değişiklikler yeniden başlatmadan sonra geçerli olur.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Kaydedildi.</translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>Sınırsız</translation>
    </message>
    <message>
        <source>Start when I log in</source>
        <translation>Oturum açtığımda başlat</translation>
    </message>
    <message>
        <source>Default limits for new users</source>
        <translation>Yeni kullanıcılar için varsayılan sınırlar</translation>
    </message>
    <message>
        <source>Re&amp;quests per day:</source>
        <translation>Gü&amp;nlük istek:</translation>
    </message>
    <message>
        <source>&amp;Tokens per day:</source>
        <translation>Günlük &amp;token:</translation>
    </message>
    <message>
        <source>Requests per &amp;minute:</source>
        <translation>Dakikalık i&amp;stek:</translation>
    </message>
    <message>
        <source>Tokens per m&amp;inute:</source>
        <translation>Dakikalık t&amp;oken:</translation>
    </message>
    <message>
        <source>Given to each user created from now on, unless the creation names limits. Existing users keep theirs.</source>
        <translation>Bundan sonra oluşturulan her kullanıcıya, oluşturma sırasında sınır belirtilmedikçe verilir. Mevcut kullanıcılar kendi sınırlarını korur.</translation>
    </message>
    <message>
        <source>With &quot;Start minimized to the tray&quot; the app starts in the tray.</source>
        <translation>&quot;Sistem tepsisinde simge durumunda başlat&quot; seçiliyse uygulama sistem tepsisinde başlar.</translation>
    </message>
    <message>
        <source>Could not change starting on login</source>
        <translation>Oturum açılışında başlatma değiştirilemedi</translation>
    </message>
    <message>
        <source>Answer the version without a token, as Ollama does</source>
        <translation>Sürümü, Ollama&apos;nın yaptığı gibi token olmadan yanıtla</translation>
    </message>
    <message>
        <source>none (Ollama&apos;s 5 minutes)</source>
        <translation>yok (Ollama varsayılanı: 5 dakika)</translation>
    </message>
    <message>
        <source>Ollama&apos;s default</source>
        <translation>Ollama varsayılanı</translation>
    </message>
    <message>
        <source>Remove the images</source>
        <translation>Görselleri kaldır</translation>
    </message>
    <message>
        <source>Refuse the request (400)</source>
        <translation>İsteği reddet (400)</translation>
    </message>
    <message>
        <source>Requests to nodes</source>
        <translation>Düğümlere giden istekler</translation>
    </message>
    <message>
        <source>Ollama &amp;keep_alive:</source>
        <translation>Ollama &amp;keep_alive:</translation>
    </message>
    <message>
        <source>Sent to Ollama nodes when the client sends none: 30m, 1h30m, seconds, or -1 to keep the model loaded.</source>
        <translation>İstemci göndermediğinde Ollama düğümlerine gönderilir: 30m, 1h30m, saniye veya modeli yüklü tutmak için -1.</translation>
    </message>
    <message>
        <source>Default &amp;context length:</source>
        <translation>Varsayılan &amp;bağlam uzunluğu:</translation>
    </message>
    <message>
        <source>num_ctx for Ollama nodes when neither the client, the model configuration nor the mapping sets one.</source>
        <translation>Ne istemci ne model yapılandırması ne de eşleme bir değer belirlediğinde Ollama düğümleri için num_ctx.</translation>
    </message>
    <message>
        <source>Images for models &amp;without vision:</source>
        <translation>Vision desteği olmayan modellerde gö&amp;rseller:</translation>
    </message>
    <message>
        <source>Ollama &amp;version reported:</source>
        <translation>Bildirilen Ollama sürü&amp;mü:</translation>
    </message>
    <message>
        <source>Ollama clients such as VS Code&apos;s Copilot check the version first, without a token.</source>
        <translation>VS Code&apos;daki Copilot gibi Ollama istemcileri önce sürümü token olmadan denetler.</translation>
    </message>
    <message>
        <source>none: plain HTTP</source>
        <translation>yok: düz HTTP</translation>
    </message>
    <message>
        <source>PEM file, not encrypted</source>
        <translation>PEM dosyası, şifresiz</translation>
    </message>
    <message>
        <source>TLS &amp;certificate:</source>
        <translation>TLS s&amp;ertifikası:</translation>
    </message>
    <message>
        <source>TLS &amp;key:</source>
        <translation>TLS a&amp;nahtarı:</translation>
    </message>
    <message>
        <source>PEM files: the gateway serves HTTPS on the listen address, so that tokens do not cross the LAN in clear. Takes effect after a restart; --tls-cert on the command line wins.</source>
        <translation>PEM dosyaları: ağ geçidi dinleme adresinde HTTPS sunar, böylece belirteçler yerel ağda açık metin olarak dolaşmaz. Yeniden başlatmadan sonra geçerli olur; komut satırındaki --tls-cert önceliklidir.</translation>
    </message>
    <message>
        <source>Give both the TLS certificate and its key, or neither.</source>
        <translation>TLS sertifikasını ve anahtarını birlikte verin ya da hiçbirini vermeyin.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Kaydedilmedi: %1</translation>
    </message>
    <message>
        <source>Certificate fingerprint (SHA-256): %1</source>
        <translation>Sertifika parmak izi (SHA-256): %1</translation>
    </message>
</context>
<context>
    <name>Maestro::SystemPromptDialog</name>
    <message>
        <source>&amp;Active</source>
        <translation>&amp;Etkin</translation>
    </message>
    <message>
        <source>Edit system prompt</source>
        <translation>Sistem istemini düzenle</translation>
    </message>
    <message>
        <source>New system prompt</source>
        <translation>Yeni sistem istemi</translation>
    </message>
    <message>
        <source>Every request</source>
        <translation>Her istek</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Kullanıcı</translation>
    </message>
    <message>
        <source>Mapping</source>
        <translation>Eşleme</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Grup</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Düğüm</translation>
    </message>
    <message>
        <source>e.g. Answer in English. Never reveal internal host names.</source>
        <translation>ör. Türkçe yanıt ver. Dahili ana bilgisayar adlarını asla açıklama.</translation>
    </message>
    <message>
        <source>Prompts with a higher priority come first</source>
        <translation>Önceliği yüksek olan istemler önce gelir</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>İsteğe bağlı</translation>
    </message>
    <message>
        <source>The value must equal the user name, the mapping&apos;s display name, the real model name sent to the node, the group name, or the node&apos;s name or id.</source>
        <translation>Değer; kullanıcı adı, eşlemenin görünen adı, düğüme gönderilen gerçek model adı, grup adı ya da düğümün adı veya kimliğiyle aynı olmalıdır.</translation>
    </message>
    <message>
        <source>Applies &amp;to:</source>
        <translation>&amp;Kapsam:</translation>
    </message>
    <message>
        <source>&amp;Value:</source>
        <translation>&amp;Değer:</translation>
    </message>
    <message>
        <source>&amp;Prompt:</source>
        <translation>&amp;İstem:</translation>
    </message>
    <message>
        <source>P&amp;riority:</source>
        <translation>Ö&amp;ncelik:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>&amp;Açıklama:</translation>
    </message>
    <message>
        <source>Start typing to pick a name</source>
        <translation>Bir ad seçmek için yazmaya başlayın</translation>
    </message>
    <message>
        <source>Name the %1 the prompt applies to.</source>
        <translation>İstemin uygulanacağı %1 adını yazın.</translation>
    </message>
    <message>
        <source>Write the prompt.</source>
        <translation>İstemi yazın.</translation>
    </message>
</context>
<context>
    <name>Maestro::SystemPromptsPage</name>
    <message>
        <source>Every request</source>
        <translation>Her istek</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Kullanıcı</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Düğüm</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Grup</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Mapping</source>
        <translation>Eşleme</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>&amp;Düzenle…</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>&amp;Yukarı taşı</translation>
    </message>
    <message>
        <source>Move d&amp;own</source>
        <translation>&amp;Aşağı taşı</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Sil</translation>
    </message>
    <message>
        <source>&amp;New prompt…</source>
        <translation>Yeni &amp;istem…</translation>
    </message>
    <message>
        <source>Add text the gateway puts in front of matching requests (Ctrl+N)</source>
        <translation>Ağ geçidinin eşleşen isteklerin başına eklediği bir metin ekle (Ctrl+N)</translation>
    </message>
    <message>
        <source>Apply this prompt before the one above it</source>
        <translation>Bu istemi üstündekinden önce uygula</translation>
    </message>
    <message>
        <source>Apply this prompt after the one below it</source>
        <translation>Bu istemi altındakinden sonra uygula</translation>
    </message>
    <message>
        <source>Applies to</source>
        <translation>Kapsam</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Değer</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Öncelik</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Etkin</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>İstem</translation>
    </message>
    <message>
        <source>Matching prompts are joined top to bottom and put in front of the request&apos;s own system prompt. Prompts of equal priority go from the broadest scope to the most specific.</source>
        <translation>Eşleşen istemler yukarıdan aşağıya birleştirilir ve isteğin kendi sistem isteminin önüne eklenir. Aynı öncelikteki istemler en geniş kapsamdan en özele doğru sıralanır.</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Evet</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Hayır</translation>
    </message>
    <message>
        <source>Could not save the system prompt</source>
        <translation>Sistem istemi kaydedilemedi</translation>
    </message>
    <message>
        <source>the prompt for every request</source>
        <translation>her istek için olan istem</translation>
    </message>
    <message>
        <source>the prompt for %1 %2</source>
        <translation>%1 %2 için olan istem</translation>
    </message>
    <message>
        <source>Delete system prompt</source>
        <translation>Sistem istemini sil</translation>
    </message>
    <message>
        <source>Delete %1? Requests no longer get its text.</source>
        <translation>%1 silinsin mi? İstekler artık onun metnini almaz.</translation>
    </message>
    <message>
        <source>Could not delete the system prompt</source>
        <translation>Sistem istemi silinemedi</translation>
    </message>
    <message>
        <source>Could not change the order of the system prompts</source>
        <translation>Sistem istemlerinin sırası değiştirilemedi</translation>
    </message>
</context>
<context>
    <name>Maestro::TokenDialog</name>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopyala</translation>
    </message>
    <message>
        <source>Token for %1</source>
        <translation>%1 için token</translation>
    </message>
    <message>
        <source>This is &lt;b&gt;%1&lt;/b&gt;&apos;s access token. Copy it now and hand it over safely: Model Maestro stores only a fingerprint and cannot show it again.</source>
        <translation>Bu, &lt;b&gt;%1&lt;/b&gt; kullanıcısının erişim token&apos;ıdır. Şimdi kopyalayın ve güvenli biçimde iletin: Model Maestro yalnızca bir parmak izi saklar ve onu tekrar gösteremez.</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Panoya kopyalandı.</translation>
    </message>
</context>
<context>
    <name>Maestro::ToolSetDialog</name>
    <message>
        <source>Edit tool set %1</source>
        <translation>%1 araç setini düzenle</translation>
    </message>
    <message>
        <source>New tool set</source>
        <translation>Yeni araç seti</translation>
    </message>
    <message>
        <source>e.g. file-access</source>
        <translation>ör. file-access</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>İsteğe bağlı</translation>
    </message>
    <message>
        <source>A tool set keeps its name; create a new one to use another.</source>
        <translation>Bir araç seti adını korur; başka bir ad için yenisini oluşturun.</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Ad:</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>A&amp;çıklama:</translation>
    </message>
    <message>
        <source>&amp;Tools:</source>
        <translation>A&amp;raçlar:</translation>
    </message>
    <message>
        <source>One tool name per line.</source>
        <translation>Satır başına bir araç adı.</translation>
    </message>
    <message>
        <source>There is a tool set named %1 already; edit that one instead.</source>
        <translation>%1 adında bir araç seti zaten var; onun yerine onu düzenleyin.</translation>
    </message>
</context>
<context>
    <name>Maestro::TrayIcon</name>
    <message>
        <source>&amp;Open Model Maestro</source>
        <translation>Model Maestro&apos;yu &amp;aç</translation>
    </message>
    <message>
        <source>&amp;Copy connection snippet</source>
        <translation>Bağlantı &amp;parçacığını kopyala</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Çıkış</translation>
    </message>
    <message>
        <source>Node back</source>
        <translation>Düğüm geri geldi</translation>
    </message>
    <message>
        <source>%1 answers again.</source>
        <translation>%1 yeniden yanıt veriyor.</translation>
    </message>
    <message>
        <source>Node down</source>
        <translation>Düğüm çalışmıyor</translation>
    </message>
    <message>
        <source>%1 does not answer; requests go to the other nodes.</source>
        <translation>%1 yanıt vermiyor; istekler diğer düğümlere gidiyor.</translation>
    </message>
    <message>
        <source>Gateway stopped</source>
        <translation>Ağ geçidi durduruldu</translation>
    </message>
    <message numerus="yes">
        <source>%n node(s) down</source>
        <translation>
            <numerusform>%n düğüm çalışmıyor</numerusform>
        </translation>
    </message>
    <message>
        <source>All nodes healthy</source>
        <translation>Tüm düğümler sağlıklı</translation>
    </message>
    <message>
        <source>&amp;Stop gateway</source>
        <translation>Ağ geçidini &amp;durdur</translation>
    </message>
    <message>
        <source>Gateway starting or stopping…</source>
        <translation>Ağ geçidi başlatılıyor veya durduruluyor…</translation>
    </message>
    <message>
        <source>Gateway could not start: %1</source>
        <translation>Ağ geçidi başlatılamadı: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n failed request(s) in the last 5 minutes</source>
        <translation>
            <numerusform>Son 5 dakikada %n başarısız istek</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Start gateway</source>
        <translation>Ağ geçidini &amp;başlat</translation>
    </message>
    <message>
        <source>Model Maestro — %1
%2
%3 active requests, %4 requests today</source>
        <translation>Model Maestro — %1
%2
%3 etkin istek, bugün %4 istek</translation>
    </message>
</context>
<context>
    <name>Maestro::Ui</name>
    <message>
        <source>Disabled</source>
        <translation>Devre dışı</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>Sağlıklı</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>Çalışmıyor</translation>
    </message>
    <message>
        <source>Not checked yet</source>
        <translation>Henüz denetlenmedi</translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation>Sınırsız</translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation>Ollama</translation>
    </message>
    <message>
        <source>OpenAI-compatible</source>
        <translation>OpenAI uyumlu</translation>
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
            <numerusform>%1–%2: %n istek, %3 token</numerusform>
        </translation>
    </message>
    <message>
        <source>No requests in the last 24 hours</source>
        <translation>Son 24 saatte istek yok</translation>
    </message>
</context>
<context>
    <name>Maestro::UserLimitsDialog</name>
    <message>
        <source>&amp;Requests per day:</source>
        <translation>Günlük &amp;istek:</translation>
    </message>
    <message>
        <source>&amp;Tokens per day:</source>
        <translation>Günlük &amp;token:</translation>
    </message>
    <message>
        <source>Limits for %1</source>
        <translation>%1 için sınırlar</translation>
    </message>
    <message>
        <source>Requests per &amp;minute:</source>
        <translation>&amp;Dakikalık istek:</translation>
    </message>
    <message>
        <source>T&amp;okens per minute:</source>
        <translation>Dakikalık t&amp;oken:</translation>
    </message>
    <message>
        <source>Days are counted in UTC; a minute is any 60 seconds. 0 means unlimited.</source>
        <translation>Günler UTC&apos;ye göre sayılır; bir dakika herhangi bir 60 saniyedir. 0 sınırsız demektir.</translation>
    </message>
</context>
<context>
    <name>Maestro::UserModelsDialog</name>
    <message>
        <source>&amp;All models, including ones added later</source>
        <translation>&amp;Tüm modeller, sonradan eklenenler dahil</translation>
    </message>
    <message>
        <source>Models for %1</source>
        <translation>%1 için modeller</translation>
    </message>
    <message>
        <source>Or only these (display names first, then models as nodes name them):</source>
        <translation>Ya da yalnızca bunlar (önce görünen adlar, sonra düğümlerin verdiği adlarla modeller):</translation>
    </message>
</context>
<context>
    <name>Maestro::UserNodeModelsDialog</name>
    <message>
        <source>Models on nodes for %1</source>
        <translation>%1 için düğümlerdeki modeller</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Düğüm</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Ekle</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Kaldır</translation>
    </message>
    <message>
        <source>Only these models on these nodes; with no rows, every model on the nodes the user may use. Requests never go elsewhere, not even on failover.</source>
        <translation>Yalnızca bu düğümlerdeki bu modeller; satır yoksa kullanıcının kullanabileceği düğümlerdeki her model. İstekler yedeğe geçişte bile başka yere gitmez.</translation>
    </message>
    <message>
        <source>Deleted node %1</source>
        <translation>Silinmiş düğüm %1</translation>
    </message>
</context>
<context>
    <name>Maestro::UserNodesDialog</name>
    <message>
        <source>&amp;All nodes, including ones added later</source>
        <translation>&amp;Tüm düğümler, sonradan eklenenler dahil</translation>
    </message>
    <message>
        <source>Nodes for %1</source>
        <translation>%1 için düğümler</translation>
    </message>
    <message>
        <source>Deleted node %1</source>
        <translation>Silinmiş düğüm %1</translation>
    </message>
    <message>
        <source>Or only these; requests never go to other nodes, not even on failover:</source>
        <translation>Ya da yalnızca bunlar; istekler yedeğe geçişte bile başka düğümlere gitmez:</translation>
    </message>
</context>
<context>
    <name>Maestro::UsersPage</name>
    <message>
        <source>N&amp;odes…</source>
        <translation>&amp;Düğümler…</translation>
    </message>
    <message>
        <source>Limit the nodes this user&apos;s requests may go to</source>
        <translation>Bu kullanıcının isteklerinin gidebileceği düğümleri sınırla</translation>
    </message>
    <message>
        <source>deleted node %1</source>
        <translation>silinmiş düğüm %1</translation>
    </message>
    <message>
        <source>%1 (only on %2)</source>
        <translation>%1 (yalnızca %2 üzerinde)</translation>
    </message>
    <message>
        <source>Could not change the nodes</source>
        <translation>Düğümler değiştirilemedi</translation>
    </message>
    <message>
        <source>&amp;Rotate token</source>
        <translation>Token&apos;ı &amp;yenile</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modeller…</translation>
    </message>
    <message>
        <source>&amp;Limits…</source>
        <translation>&amp;Sınırlar…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Sil</translation>
    </message>
    <message>
        <source>&amp;New user…</source>
        <translation>&amp;Yeni kullanıcı…</translation>
    </message>
    <message>
        <source>Create a user and show their access token (Ctrl+N)</source>
        <translation>Bir kullanıcı oluştur ve erişim token&apos;ını göster (Ctrl+N)</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Kullanıcı</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modeller</translation>
    </message>
    <message>
        <source>Requests today</source>
        <translation>Bugünkü istekler</translation>
    </message>
    <message>
        <source>Tokens today</source>
        <translation>Bugünkü tokenlar</translation>
    </message>
    <message>
        <source>Request limit</source>
        <translation>İstek sınırı</translation>
    </message>
    <message>
        <source>Token limit</source>
        <translation>Token sınırı</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Oluşturulma</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zaman</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>Uç nokta</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Durum</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Tokenlar</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Süre</translation>
    </message>
    <message>
        <source>Recent activity</source>
        <translation>Son etkinlik</translation>
    </message>
    <message>
        <source>All models</source>
        <translation>Tüm modeller</translation>
    </message>
    <message>
        <source>None yet</source>
        <translation>Henüz yok</translation>
    </message>
    <message>
        <source>Recent activity (select a user)</source>
        <translation>Son etkinlik (bir kullanıcı seçin)</translation>
    </message>
    <message>
        <source>Recent activity of %1</source>
        <translation>%1 kullanıcısının son etkinliği</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>Could not create the user</source>
        <translation>Kullanıcı oluşturulamadı</translation>
    </message>
    <message>
        <source>Rotate token</source>
        <translation>Token&apos;ı yenile</translation>
    </message>
    <message>
        <source>Issue a new token for %1? The current token stops working at once.</source>
        <translation>%1 için yeni bir token verilsin mi? Mevcut token hemen çalışmaz hale gelir.</translation>
    </message>
    <message>
        <source>Could not rotate the token</source>
        <translation>Token yenilenemedi</translation>
    </message>
    <message>
        <source>Delete user</source>
        <translation>Kullanıcıyı sil</translation>
    </message>
    <message>
        <source>Delete %1? Their token stops working at once; their usage stays in the logs.</source>
        <translation>%1 silinsin mi? Token&apos;ı hemen çalışmaz hale gelir; kullanım kayıtları günlüklerde kalır.</translation>
    </message>
    <message>
        <source>Could not delete the user</source>
        <translation>Kullanıcı silinemedi</translation>
    </message>
    <message>
        <source>Could not change the models</source>
        <translation>Modeller değiştirilemedi</translation>
    </message>
    <message>
        <source>Could not change the limits</source>
        <translation>Sınırlar değiştirilemedi</translation>
    </message>
    <message>
        <source>%1 a day, %2 a minute</source>
        <translation>günde %1, dakikada %2</translation>
    </message>
    <message>
        <source>%1 a minute</source>
        <translation>dakikada %1</translation>
    </message>
    <message>
        <source>Mod&amp;els on nodes…</source>
        <translation>Düğümlerdeki mode&amp;ller…</translation>
    </message>
    <message>
        <source>Limit which models this user may use on which node</source>
        <translation>Bu kullanıcının hangi düğümde hangi modelleri kullanabileceğini sınırla</translation>
    </message>
    <message>
        <source>%1 on %2</source>
        <translation>%2 üzerinde %1</translation>
    </message>
    <message>
        <source>%1 (only %2)</source>
        <translation>%1 (yalnızca %2)</translation>
    </message>
    <message>
        <source>Could not change the models on nodes</source>
        <translation>Düğümlerdeki modeller değiştirilemedi</translation>
    </message>
</context>
</TS>
