package dev.vertxchat.store;

import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.UserRef;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Room history in PostgreSQL, shared by the nodes of a cluster. One transaction per batch (the send
 * pipeline's group commit), four round trips: it locks the head rows ({@code room_heads}) of the batch's
 * rooms in room id order, creating missing ones, then draws the batch's ids from the {@code message_ids}
 * sequence, inserts the messages and moves each head to its room's last id. Ids are drawn only while the room's head is
 * locked, so within a room a greater id always commits after every smaller one: a reader that asks for
 * {@code after = N} never misses a message that commits later. Locking in one order means two nodes'
 * batches never deadlock.
 */
public final class PgMessageStore implements MessageStore {
  private static final String COLUMNS = "id, room_id, user_id, user_name, text, ts, reply_to, mention_ids, search_text";
  private static final UnaryOperator<String> SQL = PgDatabase::numbered;
  private static final PageQuery.TextColumn TEXT = (row, column) -> row.getBuffer(column).toString(StandardCharsets.UTF_8);
  /**
   * Locks the head rows of the batch's rooms in room id order and returns their last ids, creating the
   * missing ones (last id 0): the no-op update of an existing row takes its row lock as FOR UPDATE would. Only
   * rooms that exist: a room deleted (on any node) after its messages were accepted gets no head, so its
   * messages are not stored (a room delete locks the head too, so either it sees these messages and deletes
   * them, or they see the room gone).
   */
  private static final String LOCK_HEADS = "INSERT INTO room_heads (room_id, last_id) SELECT r, 0 FROM UNNEST($1::VARCHAR[]) AS r"
      + " WHERE EXISTS (SELECT 1 FROM rooms WHERE rooms.id = r) ORDER BY r ON CONFLICT (room_id) DO UPDATE SET last_id = room_heads.last_id RETURNING room_id, last_id";
  private static final String NEXT_IDS = "SELECT nextval('message_ids') FROM generate_series(1, $1)";
  private static final String INSERT = "INSERT INTO messages (" + COLUMNS + ") SELECT i, r, u, n, t, $6, p, k, s FROM"
      + " UNNEST($1::BIGINT[], $2::VARCHAR[], $3::VARCHAR[], $4::VARCHAR[], $5::BYTEA[], $7::BIGINT[], $8::VARCHAR[], $9::TEXT[])"
      + " AS m(i, r, u, n, t, p, k, s)";
  private static final String MOVE_HEADS = "UPDATE room_heads SET last_id = h.last FROM"
      + " UNNEST($1::VARCHAR[], $2::BIGINT[]) AS h(room, last) WHERE room_heads.room_id = h.room";

  private final Pool pool;

  public PgMessageStore(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<List<Stored>> append(List<NewMessage> batch, long ts) {
    if (batch.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    String[] rooms = batch.stream().map(NewMessage::room).distinct().sorted().toArray(String[]::new);
    // the two statements go out together (pipelined); the server runs them in order on the connection,
    // so the ids are drawn only once every head is locked
    return pool.withTransaction(conn -> {
      Future<RowSet<Row>> heads = conn.preparedQuery(LOCK_HEADS).execute(Tuple.tuple().addArrayOfString(rooms));
      Future<RowSet<Row>> ids = conn.preparedQuery(NEXT_IDS).execute(Tuple.of(batch.size()));
      return Future.all(heads, ids).compose(v -> {
        Map<String, Long> last = new HashMap<>();
        for (Row row : heads.result()) {
          last.put(row.getString(0), row.getLong(1));
        }
        return write(conn, batch, ts, last, ids.result());
      });
    }).recover(err -> Future.failedFuture(PgDatabase.unreachable(err)));
  }

  private static Future<List<Stored>> write(SqlConnection conn, List<NewMessage> batch, long ts, Map<String, Long> last,
                                            RowSet<Row> idRows) {
    long[] ids = new long[batch.size()];
    int k = 0;
    for (Row row : idRows) {
      ids[k++] = row.getLong(0);
    }
    if (k != ids.length) {
      return Future.failedFuture(new IllegalStateException("the sequence gave " + k + " ids for " + ids.length + " messages"));
    }
    Arrays.sort(ids); // nextval follows the rows, but order is what the contract promises: never rely on it
    int n = 0;
    for (NewMessage m : batch) {
      n += last.containsKey(m.room()) ? 1 : 0;
    }
    Long[] idArg = new Long[n];
    String[] roomArg = new String[n];
    String[] userArg = new String[n];
    String[] nameArg = new String[n];
    Buffer[] textArg = new Buffer[n];
    Long[] replyArg = new Long[n];
    String[] mentionArg = new String[n];
    String[] searchArg = new String[n];
    List<Stored> stored = new ArrayList<>(batch.size());
    Map<String, Long> heads = new TreeMap<>();
    int j = 0;
    for (int i = 0; i < batch.size(); i++) {
      NewMessage m = batch.get(i);
      if (!last.containsKey(m.room())) {
        stored.add(null); // its room is gone: not stored (MessageStore.append)
        continue;
      }
      Envelope e = m.envelope(ids[i], ts);
      Long previous = last.put(m.room(), ids[i]);
      stored.add(new Stored(e, e.toJson().encode(), previous));
      heads.put(m.room(), ids[i]);
      idArg[j] = ids[i];
      roomArg[j] = m.room();
      userArg[j] = m.user().id();
      nameArg[j] = m.user().name();
      textArg[j] = Buffer.buffer(m.text().getBytes(StandardCharsets.UTF_8));
      replyArg[j] = e.replyToId();
      mentionArg[j] = PageQuery.mentionColumn(e.mentions());
      searchArg[j] = SearchText.normalize(m.text());
      j++;
    }
    if (n == 0) {
      return Future.succeededFuture(stored);
    }
    Future<RowSet<Row>> insert = conn.preparedQuery(INSERT).execute(Tuple.tuple().addArrayOfLong(idArg).addArrayOfString(roomArg)
        .addArrayOfString(userArg).addArrayOfString(nameArg).addArrayOfBuffer(textArg).addLong(ts)
        .addArrayOfLong(replyArg).addArrayOfString(mentionArg).addArrayOfString(searchArg));
    Future<RowSet<Row>> move = conn.preparedQuery(MOVE_HEADS)
        .execute(Tuple.tuple().addArrayOfString(heads.keySet().toArray(String[]::new)).addArrayOfLong(heads.values().toArray(Long[]::new)));
    return Future.all(insert, move).map(stored);
  }

  /** See {@link MessageStore#page}: the same pages as the H2 table gives. */
  @Override
  public Future<List<Envelope>> page(String room, Long before, Long after, int limit) {
    return pool.withConnection(conn -> PageQuery.of(room, before, after, limit).run(conn, SQL, TEXT))
        .recover(err -> Future.failedFuture(PgDatabase.unreachable(err)));
  }

  /** See {@link MessageStore#delete}: its text, search text and reactions go, in one transaction. */
  @Override
  public Future<Boolean> delete(String room, long id) {
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE messages SET text = ''::BYTEA, deleted = TRUE, search_text = NULL"
            + " WHERE id = $1 AND room_id = $2")
        .execute(Tuple.of(id, room))
        .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
            : conn.preparedQuery("DELETE FROM reactions WHERE message_id = $1 AND room_id = $2").execute(Tuple.of(id, room)).map(true)));
  }

  /**
   * Deletes the room's messages and its head row, unless a room of that id exists again: {@link PgRoomStore#delete}
   * already deleted them with the room's row, in one transaction, and a room created again since (on any node)
   * keeps the messages it has got. The head is locked first, so a batch of that room being committed meanwhile is
   * either wholly before (its rows are deleted too) or wholly after. Ids come from the sequence: the deleted ones
   * are never given out again.
   */
  @Override
  public Future<Void> deleteRoom(String room) {
    return pool.withTransaction(conn -> deleteRoom(conn, room, true));
  }

  /** The messages and head of {@code room}, in {@code conn}'s transaction; only when the room row is gone if {@code onlyIfGone}. */
  static Future<Void> deleteRoom(SqlConnection conn, String room, boolean onlyIfGone) {
    String unlessBack = onlyIfGone ? " AND NOT EXISTS (SELECT 1 FROM rooms WHERE id = $1)" : "";
    return conn.preparedQuery("SELECT last_id FROM room_heads WHERE room_id = $1 FOR UPDATE").execute(Tuple.of(room))
        .compose(v -> conn.preparedQuery("DELETE FROM messages WHERE room_id = $1" + unlessBack).execute(Tuple.of(room)))
        .compose(v -> conn.preparedQuery("DELETE FROM reactions WHERE room_id = $1" + unlessBack).execute(Tuple.of(room)))
        .compose(v -> conn.preparedQuery("DELETE FROM room_heads WHERE room_id = $1" + unlessBack).execute(Tuple.of(room)))
        .mapEmpty();
  }

  @Override
  public Future<Envelope> get(String room, long id) {
    return pool.withConnection(conn -> PageQuery.one(room, id).run(conn, SQL, TEXT))
        .map(found -> found.isEmpty() ? null : found.get(0));
  }

  @Override
  public Future<Boolean> edit(String room, long id, String text, long ts) {
    return pool.preparedQuery("UPDATE messages SET text = $1, search_text = $2, edited = $3 WHERE id = $4 AND room_id = $5 AND deleted = FALSE")
        .execute(Tuple.of(Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)), SearchText.normalize(text), ts, id, room))
        .map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<Integer> react(String room, long id, String emoji, UserRef user, boolean on, long ts) {
    return pool.withTransaction(conn -> H2MessageStore.react(conn, SQL, room, id, emoji, user, on, ts));
  }

  @Override
  public Future<SearchPage> search(String userId, String room, List<String> terms, Long before, int limit) {
    return pool.withConnection(conn -> H2MessageStore.search(conn, SQL, TEXT, userId, room, terms, before, limit));
  }
}
