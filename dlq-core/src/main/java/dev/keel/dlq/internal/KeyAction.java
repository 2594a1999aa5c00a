package dev.keel.dlq.internal;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.support.Values;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replay or discard, working through the dead letters it selected key by key, without holding a
 * database lock while it sends or waits.
 *
 * <p>A key blocked in ordered mode is claimed in a short transaction: its block row gets this
 * action as owner until a lease ends, renewed as the work goes on. Another replay or discard of the
 * key meanwhile skips it; once the lease ended (its owner crashed or hung) the next one takes the
 * key over and goes on where the last one stopped. The consumer keeps parking the key's new records
 * throughout. The key's parked records are handled a page at a time in short transactions, and the
 * key is unblocked in the transaction that finds none left, under the block row's lock, so that no
 * record parked meanwhile is left behind. The selected dead letters of the key are marked {@code
 * REPLAYED} or {@code DISCARDED} in that transaction too: until then a crashed action is found
 * again by running it again. A dead letter whose key is not blocked is claimed by itself.
 *
 * <p>Confined to the thread running the action.
 */
abstract class KeyAction {
  private static final Logger log = LoggerFactory.getLogger(KeyAction.class);

  /** Parked records per page. */
  static final int PAGE = 100;

  final JdbcDeadLetterStore store;
  final BlockSql blocks;
  final Clock clock;
  final Duration lease;
  final String actor;
  final ActionProgress progress;
  final String owner = UUID.randomUUID().toString();
  private Instant renewed;

  KeyAction(
      JdbcDeadLetterStore store,
      Clock clock,
      Duration lease,
      String actor,
      ActionProgress progress) {
    this.store = store;
    this.blocks = store.blocks;
    this.clock = clock;
    this.lease = lease;
    this.actor = actor;
    this.progress = progress;
  }

  /** Acts on a page of selected dead letters, key by key, in id order within each key. */
  final void page(List<DeadLetter> page) {
    Map<Group, List<DeadLetter>> byKey = new LinkedHashMap<>();
    for (DeadLetter d : page) {
      String refusal = refusal(d);
      if (refusal != null) {
        progress.refused.add(new dev.keel.dlq.ActionResult.Refusal(d.id(), refusal));
        continue;
      }
      String hash = keyHash(d);
      Group g =
          hash == null
              ? new Keyless(d.id())
              : new OfKey(new BlockSql.Key(d.group(), d.topic(), hash));
      byKey.computeIfAbsent(g, x -> new ArrayList<>()).add(d);
    }
    for (Map.Entry<Group, List<DeadLetter>> e : byKey.entrySet()) {
      if (e.getKey() instanceof OfKey k && key(k.key(), e.getValue())) {
        continue;
      }
      e.getValue().forEach(this::alone);
    }
  }

  /** The dead letters of a page acted on together: those of one key, or one without a key. */
  private sealed interface Group permits OfKey, Keyless {}

  /** The selected dead letters of one key (group, topic, key hash), in id order. */
  private record OfKey(BlockSql.Key key) implements Group {}

  /** A dead letter whose record had no key: acted on alone. */
  private record Keyless(long id) implements Group {}

  /**
   * Why this action leaves a dead letter alone ({@code DEAD}, its key blocked), or null to act on
   * it.
   */
  String refusal(DeadLetter d) {
    return null;
  }

  /**
   * The key's identity, the hash of the record's original key, or null for a record without a key.
   * A redacted key (possibly redacted to null) does not hash to it, so it is read from the dead
   * letter's row then.
   */
  private String keyHash(DeadLetter d) {
    if (d.keyRedacted()) {
      return store.write(c -> store.keyHash(c, d.id()));
    }
    return d.key() == null ? null : KeyHash.of(d.key());
  }

  /**
   * Acts on the selected dead letters of a key; false (having done nothing) when the key is not
   * blocked.
   */
  abstract boolean key(BlockSql.Key k, List<DeadLetter> letters);

  /** Acts on a dead letter whose key is not blocked (or that has no key). */
  abstract void alone(DeadLetter d);

  /**
   * A claim on a blocked key.
   *
   * @param token the key's release token (null for a discard of a key never released)
   * @param mine the selected dead letters still {@code DEAD}, in id order
   * @param unsent those of them the key's release has not sent yet
   * @param skipped selected dead letters left alone
   * @param busy whether another action holds the key
   */
  record Claim(
      String token, List<DeadLetter> mine, List<DeadLetter> unsent, int skipped, boolean busy) {}

  /**
   * Claims a blocked key; null when the key is not blocked. A replay ({@code release}) keeps the
   * release token of a release that was not halted, so that it goes on where that one stopped, and
   * starts a new release otherwise.
   */
  final Claim claim(BlockSql.Key k, List<DeadLetter> letters, boolean release) {
    Instant now = clock.instant();
    Claim claim =
        store.write(
            c -> {
              BlockSql.Block b = blocks.lock(c, k);
              if (b == null) {
                return null;
              }
              if (b.claimedByOther(owner, now)) {
                return new Claim(null, List.of(), List.of(), letters.size(), true);
              }
              boolean fresh = release && (b.token() == null || b.halted());
              String token = fresh ? UUID.randomUUID().toString() : b.token();
              List<DeadLetter> mine = new ArrayList<>();
              List<DeadLetter> unsent = new ArrayList<>();
              for (DeadLetter d : letters) {
                BlockSql.Letter l = blocks.lockLetter(c, d.id());
                if (l.status() != DeadLetterStatus.DEAD || l.claimedByOther(owner, now)) {
                  continue; // resolved meanwhile, or being replayed by itself
                }
                mine.add(d);
                if (fresh || token == null || !token.equals(l.releaseToken())) {
                  unsent.add(d);
                }
              }
              if (!mine.isEmpty()) {
                blocks.claim(c, k, token, owner, now.plus(lease), fresh);
              }
              return new Claim(token, mine, unsent, letters.size() - mine.size(), false);
            });
    if (claim != null && claim.busy()) {
      log.info(
          "Dead-letter {}: a key of group {} on {} is being replayed or discarded by another action;"
              + " {} dead letter(s) skipped (dead letter {})",
          owner,
          Values.quote(k.group()),
          Values.quote(k.topic()),
          letters.size(),
          letters.get(0).id());
    }
    renewed = now;
    return claim;
  }

  /** Locks the key's block row and checks that this action still holds it. */
  final BlockSql.Block held(Connection c, BlockSql.Key k) throws SQLException {
    BlockSql.Block b = blocks.lock(c, k);
    if (b == null || !b.claimedBy(owner)) {
      throw new ClaimLost(k);
    }
    return b;
  }

  /** Renews the claim once a quarter of the lease has passed since it was last renewed. */
  final void renewIfDue(BlockSql.Key k) {
    Instant now = clock.instant();
    if (Duration.between(renewed, now).compareTo(lease.dividedBy(4)) >= 0) {
      store.write(
          c -> {
            held(c, k);
            blocks.renew(c, k, now.plus(lease));
            return null;
          });
      renewed = now;
    }
  }

  /** Notes that the claim was renewed at {@code at} (in a transaction that just committed). */
  final void renewed(Instant at) {
    renewed = at;
  }

  /**
   * Ends the work on a key in the caller's transaction: marks the dead letters resolved ({@code
   * REPLAYED} only those the release sent) and unblocks the key when {@code unblock} and no dead
   * letter of it is left, else gives the claim up.
   *
   * @return the dead letters resolved
   */
  final List<DeadLetter> finish(
      Connection c, BlockSql.Key k, Claim claim, DeadLetterStatus status, boolean unblock)
      throws SQLException {
    List<DeadLetter> resolved = new ArrayList<>();
    for (DeadLetter d : claim.mine()) {
      BlockSql.Letter l = blocks.lockLetter(c, d.id());
      if (l.status() != DeadLetterStatus.DEAD
          || (status == DeadLetterStatus.REPLAYED
              && !java.util.Objects.equals(claim.token(), l.releaseToken()))) {
        continue;
      }
      store.resolve(c, d.id(), status, actor, clock.instant());
      resolved.add(d);
    }
    if (unblock && store.countDead(c, k.group(), k.topic(), k.hash()) == 0) {
      store.unblock(c, k.group(), k.topic(), k.hash());
    } else {
      blocks.unclaim(c, k);
    }
    return resolved;
  }

  /** Gives the claim up after a failure, so that the next action need not wait for the lease. */
  final void giveUp(BlockSql.Key k, RuntimeException failure) {
    try {
      store.write(
          c -> {
            BlockSql.Block b = blocks.lock(c, k);
            if (b != null && b.claimedBy(owner)) {
              blocks.unclaim(c, k);
            }
            return null;
          });
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Whether other {@code DEAD} letters of the key than the claimed ones hold it blocked. */
  final boolean heldByOthers(Connection c, BlockSql.Key k, Claim claim) throws SQLException {
    return store.countDead(c, k.group(), k.topic(), k.hash()) > claim.mine().size();
  }

  /** Claims a dead letter whose key is not blocked; false when it is resolved or claimed. */
  final boolean claimAlone(DeadLetter d) {
    Instant now = clock.instant();
    return store.write(
        c -> {
          BlockSql.Letter l = blocks.lockLetter(c, d.id());
          if (l.status() != DeadLetterStatus.DEAD || l.claimedByOther(owner, now)) {
            return false;
          }
          blocks.claimLetter(c, d.id(), owner, now.plus(lease));
          return true;
        });
  }

  /** Resolves a dead letter claimed by itself; false when someone else resolved it meanwhile. */
  final boolean resolveAlone(DeadLetter d, DeadLetterStatus status) {
    return store.write(
        c -> {
          if (blocks.lockLetter(c, d.id()).status() != DeadLetterStatus.DEAD) {
            return false;
          }
          store.resolve(c, d.id(), status, actor, clock.instant());
          return true;
        });
  }

  /** Gives a dead letter's own claim up after a failure. */
  final void giveUpAlone(DeadLetter d, RuntimeException failure) {
    try {
      store.write(
          c -> {
            if (owner.equals(blocks.lockLetter(c, d.id()).claimedBy())) {
              blocks.claimLetter(c, d.id(), null, null);
            }
            return null;
          });
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** This action's claim on a key ended: another action took the key over after the lease. */
  static final class ClaimLost extends RetriableKeelException {
    private static final long serialVersionUID = 1L;

    ClaimLost(BlockSql.Key k) {
      super(
          "The claim on a key of group "
              + Values.quote(k.group())
              + " on "
              + Values.quote(k.topic())
              + " ended before this action was done (its lease ran out and another replay or"
              + " discard took the key over, or the key was unblocked); nothing more was sent or"
              + " removed for it");
    }
  }
}
