// fake-upstream: the test double of an LLM node as a standalone program, for the benchmark and
// for trying the gateway by hand.

#include "fakeanthropic.h"
#include "fakeupstream.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using Maestro::NodeType;
using Maestro::Test::FakeAnthropic;
using Maestro::Test::FakeUpstream;

namespace {

int g_signalPipe[2] = { -1, -1 };

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "fake-upstream: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    // The plain poll dispatcher is noticeably faster than GLib's for this many small requests.
    if (qEnvironmentVariableIsEmpty("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"fake-upstream"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"A fake Ollama or OpenAI-compatible LLM server for tests."_s);
    parser.addHelpOption();
    const QCommandLineOption dialectOption(u"dialect"_s, u"ollama, openai or anthropic (default openai)."_s,
                                           u"dialect"_s, u"openai"_s);
    const QCommandLineOption listenOption(u"listen"_s,
                                          u"HOST:PORT to listen on; port 0 picks one."_s,
                                          u"address"_s, u"127.0.0.1:0"_s);
    const QCommandLineOption modelsOption(u"models"_s, u"Comma-separated model names."_s,
                                          u"list"_s);
    const QCommandLineOption delayOption(u"delay-ms"_s, u"Delay between stream events."_s, u"ms"_s,
                                         u"0"_s);
    const QCommandLineOption wordsOption(u"words"_s, u"Reply with this many words."_s, u"n"_s);
    const QCommandLineOption textOption(u"text"_s, u"Reply text (streamed word by word)."_s,
                                        u"text"_s);
    const QCommandLineOption apiKeyOption(u"api-key"_s, u"Require Authorization: Bearer KEY."_s,
                                          u"key"_s);
    const QCommandLineOption toolOption(u"tool-call"_s, u"Answer chats with a call of this tool."_s,
                                        u"name"_s);
    const QCommandLineOption toolArgsOption(u"tool-args"_s, u"Tool call arguments (JSON object)."_s,
                                            u"json"_s, u"{}"_s);
    const QCommandLineOption toolOnceOption(u"tool-call-until-result"_s,
                                            u"Answer with the reply text once the chat ends with a tool result."_s);
    const QCommandLineOption noRecordOption(u"no-record"_s,
                                            u"Do not keep requests (benchmark fast path)."_s);
    const QCommandLineOption threadsOption(u"threads"_s, u"Worker threads for connections."_s,
                                           u"n"_s, u"1"_s);
    parser.addOptions({ dialectOption, listenOption, modelsOption, delayOption, wordsOption,
                        textOption, apiKeyOption, toolOption, toolArgsOption, toolOnceOption, noRecordOption,
                        threadsOption });
    parser.process(app);

    const QString dialect = parser.value(dialectOption).toLower();
    if (dialect != u"ollama"_s && dialect != u"openai"_s && dialect != u"anthropic"_s)
        return fail(u"--dialect must be ollama, openai or anthropic"_s);
    const QString listen = parser.value(listenOption);
    const qsizetype colon = listen.lastIndexOf(u':');
    bool portOk = false;
    const uint port = colon > 0 ? listen.sliced(colon + 1).toUInt(&portOk) : 0;
    QString host = colon > 0 ? listen.first(colon) : QString();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.sliced(1, host.size() - 2);
    const QHostAddress address(host);
    if (!portOk || port > 65535 || address.isNull())
        return fail(u"--listen must be HOST:PORT with a numeric host, got \"%1\""_s.arg(listen));
    bool ok = false;
    const int delayMs = parser.value(delayOption).toInt(&ok);
    if (!ok || delayMs < 0)
        return fail(u"--delay-ms must be a non-negative integer"_s);
    const int threads = parser.value(threadsOption).toInt(&ok);
    if (!ok || threads < 1)
        return fail(u"--threads must be a positive integer"_s);

    if (dialect == u"anthropic"_s) {
        // Anthropic's API (tests/support/fakeanthropic.h): the key in x-api-key, a tool call
        // answered until the conversation ends with its result.
        FakeAnthropic anthropic;
        if (parser.isSet(apiKeyOption))
            anthropic.setApiKey(parser.value(apiKeyOption).toUtf8());
        if (parser.isSet(modelsOption))
            anthropic.setModels(parser.value(modelsOption).split(u',', Qt::SkipEmptyParts));
        if (parser.isSet(textOption))
            anthropic.setReplyText(parser.value(textOption));
        if (parser.isSet(toolOption))
            anthropic.setToolCall(parser.value(toolOption),
                                  QJsonDocument::fromJson(parser.value(toolArgsOption).toUtf8()).object());
        if (!anthropic.listen(address, static_cast<quint16>(port)))
            return fail(u"cannot listen on %1"_s.arg(listen));
        std::printf("fake-upstream listening on http://127.0.0.1:%u\n", static_cast<unsigned>(anthropic.port()));
        std::fflush(stdout);
        return app.exec();
    }

    FakeUpstream upstream(dialect == u"ollama"_s ? NodeType::Ollama : NodeType::OpenAi);
    upstream.setThreadCount(threads);
    upstream.setChunkDelay(delayMs);
    upstream.setRecording(!parser.isSet(noRecordOption));
    if (parser.isSet(modelsOption))
        upstream.setModels(parser.value(modelsOption).split(u',', Qt::SkipEmptyParts));
    if (parser.isSet(wordsOption)) {
        const int words = parser.value(wordsOption).toInt(&ok);
        if (!ok || words < 1)
            return fail(u"--words must be a positive integer"_s);
        upstream.setReplyWords(words);
    }
    if (parser.isSet(textOption))
        upstream.setReplyText(parser.value(textOption));
    if (parser.isSet(apiKeyOption))
        upstream.setApiKey(parser.value(apiKeyOption));
    if (parser.isSet(toolOption))
        upstream.setToolCall(parser.value(toolOption), parser.value(toolArgsOption).toUtf8());
    upstream.setToolCallUntilResult(parser.isSet(toolOnceOption));

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return fail(u"socketpair failed"_s);
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&notifier]() {
        notifier.setEnabled(false);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);

    if (!upstream.listen(address, static_cast<quint16>(port)))
        return fail(u"cannot listen on %1: %2"_s.arg(listen, upstream.errorString()));

    const QString shownHost = address == QHostAddress::Any || address == QHostAddress::AnyIPv4
        ? u"127.0.0.1"_s
        : (address.protocol() == QAbstractSocket::IPv6Protocol ? u"[%1]"_s.arg(host) : host);
    std::printf("fake-upstream listening on http://%s:%u\n", qPrintable(shownHost),
                static_cast<unsigned>(upstream.port()));
    std::fflush(stdout);

    return app.exec();
}
