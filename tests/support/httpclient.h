#pragma once

// A plain HTTP client for tests: one request, its answer piece by piece with the time each piece
// came, and small helpers for JSON bodies and the stream formats.

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrl>

#include <utility>

namespace Maestro::Test {

using namespace Qt::StringLiterals;

struct Response
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QList<QByteArray> pieces;
    QList<qint64> times; // ms after the request was sent, one per readyRead
    QHash<QByteArray, QByteArray> headers; // lower-cased names
    bool finished = false;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
};

using Headers = QList<std::pair<QByteArray, QByteArray>>;

// Sends one request and collects the answer piece by piece (with the time each piece arrived),
// waiting up to timeoutMs for the end; an unfinished reply is aborted.
inline Response sendRequest(QNetworkAccessManager &nam, const QUrl &url, const QByteArray &method,
                            const QByteArray &body, const QByteArray &token, const Headers &headers = {},
                            int timeoutMs = 15000)
{
    QNetworkRequest request(url);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = nam.sendCustomRequest(request, method, body);
    Response response;
    const auto take = [&] {
        const QByteArray piece = reply->readAll();
        if (piece.isEmpty())
            return;
        response.pieces.append(piece);
        response.times.append(timer.elapsed());
        response.body += piece;
    };
    // The reply is polled, with no functor of ours connected to it: QNetworkAccessManager's thread
    // may drop the last reference to such a functor, an order ThreadSanitizer cannot see inside
    // Qt. The loop wakes for every event (each arriving piece is one) and at least every 2 ms, so a
    // piece's time is as exact as with a connection.
    const QDeadlineTimer deadline(timeoutMs);
    QEventLoop loop;
    QTimer tick;
    tick.start(2);
    while (!reply->isFinished() && !deadline.hasExpired()) {
        loop.processEvents(QEventLoop::WaitForMoreEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        take();
    }
    response.finished = reply->isFinished();
    if (!response.finished)
        reply->abort();
    response.body += reply->readAll();
    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    response.error = reply->error();
    for (const auto &pair : reply->rawHeaderPairs())
        response.headers.insert(pair.first.toLower(), pair.second);
    delete reply;
    return response;
}

inline QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

inline QJsonArray userMessage(const QString &text)
{
    return QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, text}}};
}

// SSE events as (event name, data) pairs, in order; the name is empty when there was none.
inline QList<std::pair<QByteArray, QByteArray>> sseEvents(const QByteArray &body)
{
    QList<std::pair<QByteArray, QByteArray>> out;
    QByteArray name;
    for (const QByteArray &rawLine : body.split('\n')) {
        const QByteArray line = rawLine.endsWith('\r') ? rawLine.chopped(1) : rawLine;
        if (line.startsWith("event:")) {
            name = line.mid(6).trimmed();
        } else if (line.startsWith("data:")) {
            out.append({name, line.mid(5).trimmed()});
            name.clear();
        }
    }
    return out;
}

// Non-empty NDJSON lines.
inline QList<QByteArray> ndjsonLines(const QByteArray &body)
{
    QList<QByteArray> out;
    for (const QByteArray &line : body.split('\n')) {
        if (!line.trimmed().isEmpty())
            out.append(line);
    }
    return out;
}

} // namespace Maestro::Test
