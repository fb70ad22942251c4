<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>Maestro::DashboardPage</name>
    <message numerus="yes">
        <source>%n down</source>
        <translation>
            <numerusform>%n down</numerusform>
            <numerusform>%n down</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::LogsPage</name>
    <message numerus="yes">
        <source>%n request(s) in total</source>
        <translation>
            <numerusform>%n request in total</numerusform>
            <numerusform>%n requests in total</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more refusal(s) of this user just before</source>
        <translation>
            <numerusform>%n more refusal of this user just before</numerusform>
            <numerusform>%n more refusals of this user just before</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::MainWindow</name>
    <message numerus="yes">
        <source>%n active request(s)</source>
        <translation>
            <numerusform>%n active request</numerusform>
            <numerusform>%n active requests</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n node(s) down</source>
        <translation>
            <numerusform>%n node down</numerusform>
            <numerusform>%n nodes down</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::ModelsPage</name>
    <message numerus="yes">
        <source>%n model(s)</source>
        <translation>
            <numerusform>%n model</numerusform>
            <numerusform>%n models</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::NodesPage</name>
    <message numerus="yes">
        <source>Models discovered on %1 (%n)</source>
        <translation>
            <numerusform>Models discovered on %1 (%n)</numerusform>
            <numerusform>Models discovered on %1 (%n)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::PoliciesPage</name>
    <message numerus="yes">
        <source>%n request(s)</source>
        <translation>
            <numerusform>%n request</numerusform>
            <numerusform>%n requests</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::PullModelDialog</name>
    <message numerus="yes">
        <source>All active Ollama nodes (%n)</source>
        <translation>
            <numerusform>All active Ollama nodes (%n)</numerusform>
            <numerusform>All active Ollama nodes (%n)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 is on %n node(s); their model lists are being refreshed.</source>
        <translation>
            <numerusform>%1 is on %n node; its model list is being refreshed.</numerusform>
            <numerusform>%1 is on %n nodes; their model lists are being refreshed.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Pulling %1 failed on %2 of %n node(s).</source>
        <translation>
            <numerusform>Pulling %1 failed on %2 of %n node.</numerusform>
            <numerusform>Pulling %1 failed on %2 of %n nodes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::TrayIcon</name>
    <message numerus="yes">
        <source>%n node(s) down</source>
        <translation>
            <numerusform>%n node down</numerusform>
            <numerusform>%n nodes down</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed request(s) in the last 5 minutes</source>
        <translation>
            <numerusform>%n failed request in the last 5 minutes</numerusform>
            <numerusform>%n failed requests in the last 5 minutes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Maestro::UsageChart</name>
    <message numerus="yes">
        <source>%1–%2: %n request(s), %3 tokens</source>
        <translation>
            <numerusform>%1–%2: %n request, %3 tokens</numerusform>
            <numerusform>%1–%2: %n requests, %3 tokens</numerusform>
        </translation>
    </message>
</context>
</TS>
