package io.envgrid.gateway.smcp.office;

import io.envgrid.gateway.smcp.SmcpConfig;
import io.envgrid.gateway.smcp.SmcpKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Takes the members of a dead replica out of their offices. Each replica keeps a key alive with a TTL of the
 * Engine.IO ping timeout, refreshed three times per TTL; every replica looks as often for replicas whose key has
 * expired and removes their members one by one (SPOP: each removed, and its {@code notify:leave_office} sent, once).
 * A killed replica's members therefore leave within about 4/3 of the ping timeout, inside the heartbeat window
 * ({@code pingInterval + pingTimeout}) in which a member whose client died keeps its seat on a live replica.
 *
 * <p>A replica that lives but whose key lapsed (Redis out of its reach, or its event loop stalled, for a ping timeout)
 * is evicted just the same while its members stay connected. At each beat it therefore compares the members Redis
 * still lists for it with those it holds seated, and closes the connection of each one whose seat is gone (its leave
 * was announced by the evicting replica): its client reconnects and joins anew, instead of believing itself seated
 * while every call to it answers 404. Seats carry an epoch ({@link SeatEntry}): an eviction removes only the seat it
 * took from the set, and a member is closed only when the seat it still holds is gone, so one that left and joined the
 * same office again while an eviction of its former seat was under way keeps its new seat and its connection.
 *
 * <p>Gateways from before names were per office held Computer names in two keys ({@link SmcpKeys#legacyNameHolds});
 * no current code reads or writes them. They are deleted at start-up and again after each eviction of a replica:
 * during a rolling update the older replicas still running keep them up to date (their leaves release their own
 * holds, and an empty hash vanishes), so what could stay behind for good is only what a replica evicted here held.
 */
@ApplicationScoped
public class ReplicaLiveness {

    private static final Logger LOG = Logger.getLogger(ReplicaLiveness.class);
    /**
     * Once the older gateways' replica set has been read empty, beats it waits before reading it again. Not never: an
     * older replica lists itself there only when it seats its first member, so an empty set does not mean that no
     * older replica runs (a rolling update still under way, or a rollback), and one that dies with members must still
     * be evicted by a current replica.
     */
    static final int LEGACY_RECHECK_BEATS = 10;

    private final ReactiveKeyCommands<String> keyCommands;
    private final ReactiveValueCommands<String, String> values;
    private final ReactiveSetCommands<String, String> sets;
    private final SmcpKeys keys;
    private final ReplicaBus bus;
    private final OfficeDirectory directory;
    private final OfficeMembership membership;
    private final Vertx vertx;
    private final Duration ttl;
    private long timer = -1;
    /**
     * When the older gateways' replica set ({@link SmcpKeys#legacyReplicas}) is next read (epoch ms; 0: at the next
     * sweep). Written and read by the sweeps, which the beat runs one at a time.
     */
    private volatile long legacyReadDue;

    public ReplicaLiveness(ReactiveRedisDataSource redis, SmcpKeys keys, ReplicaBus bus, OfficeDirectory directory,
            OfficeMembership membership, Vertx vertx, SmcpConfig config) {
        this.keyCommands = redis.key(String.class);
        this.values = redis.value(String.class);
        this.sets = redis.set(String.class);
        this.keys = keys;
        this.bus = bus;
        this.directory = directory;
        this.membership = membership;
        this.vertx = vertx;
        this.ttl = config.pingTimeout();
    }

    void start(@Observes StartupEvent event) {
        dropLegacyNameHolds().subscribe().with(v -> { },
                e -> LOG.warnf("SMCP: the legacy name holds could not be deleted: %s", e.getMessage()));
        timer = vertx.setPeriodic(0, beatMillis(), t -> beat().chain(this::sweep).subscribe().with(
                v -> { }, e -> LOG.warnf("SMCP liveness round failed: %s", e.getMessage())));
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    private Uni<Void> beat() {
        return values.set(keys.alive(bus.replicaId()), "1", new SetArgs().px(ttl.toMillis())).chain(this::dropEvicted);
    }

    /**
     * Closes the connections of this replica's members whose seats another replica evicted; one SCARD when none was
     * (a member moving offices briefly holds two entries, one joining or leaving none yet, so fewer entries than
     * seated members means an eviction; one missed while a join is under way is found at a later beat).
     */
    private Uni<Void> dropEvicted() {
        List<Member> seated = bus.localMembers().stream().filter(m -> m.officeId != null).toList();
        if (seated.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return sets.scard(keys.replicaSeats(bus.replicaId())).chain(entries -> entries >= seated.size()
                ? Uni.createFrom().voidItem()
                : Multi.createFrom().iterable(seated).onItem().transformToUniAndConcatenate(this::dropIfEvicted)
                        .collect().last().replaceWithVoid());
    }

    private Uni<Void> dropIfEvicted(Member member) {
        String office = member.officeId;
        String epoch = member.epoch;
        if (office == null) {
            return Uni.createFrom().voidItem();
        }
        return directory.member(office, member.sid()).invoke(record -> {
            // a member leaving sets officeId to null before its seat goes, and a new seat gets a new epoch: one still
            // on the seat this read was about, without a record of that seat, was evicted
            if ((record == null || !epoch.equals(record.path("epoch").asText())) && office.equals(member.officeId)
                    && epoch.equals(member.epoch)) {
                LOG.warnf("SMCP member %s lost its seat in %s while connected (this replica's key had lapsed): closed",
                        member.sid(), office);
                member.officeId = null; // the evicting replica announced its leave
                member.socket.closeConnection("transport close");
            }
        }).replaceWithVoid();
    }

    /**
     * Removes the members of every replica whose key has expired: of current replicas, and of replicas of gateways
     * from before seat epochs (their own keys, {@link SmcpKeys#legacyReplicas}), so that none stays behind while a
     * rolling update or rollback runs both generations. Each generation pops only entries of its own keys, which it
     * can parse. The older replicas' set is read at every sweep only while it lists some; once read empty (usually for
     * good: the rolling update is over), only every {@link #LEGACY_RECHECK_BEATS} beats, so a dead older replica's
     * seats then go within that many beats more.
     */
    Uni<Void> sweep() {
        Uni<Void> current = sweep(keys.seatReplicas(), keys::replicaSeats);
        long now = System.currentTimeMillis();
        if (now < legacyReadDue) {
            return current;
        }
        return current.chain(() -> sets.smembers(keys.legacyReplicas()).chain(ids -> {
            // read again at each beat while older replicas are listed; once none is, only every LEGACY_RECHECK_BEATS
            legacyReadDue = ids.isEmpty() ? now + LEGACY_RECHECK_BEATS * beatMillis() : 0;
            return sweep(keys.legacyReplicas(), keys::legacyReplicaMembers, ids);
        }));
    }

    private long beatMillis() {
        return Math.max(100, ttl.toMillis() / 3);
    }

    private Uni<Void> sweep(String replicaSet, UnaryOperator<String> memberSet) {
        return sets.smembers(replicaSet).chain(ids -> sweep(replicaSet, memberSet, ids));
    }

    private Uni<Void> sweep(String replicaSet, UnaryOperator<String> memberSet, Set<String> listed) {
        return Uni.createFrom().item(listed).onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .filter(id -> !id.equals(bus.replicaId()))
                .onItem().transformToUniAndConcatenate(id -> keyCommands.exists(keys.alive(id))
                        .chain(alive -> alive ? Uni.createFrom().voidItem() : evict(replicaSet, memberSet.apply(id), id)))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> evict(String replicaSet, String memberSet, String replicaId) {
        return sets.spop(memberSet).chain(entry -> {
            if (entry == null) {
                // the holds go first: once the replica has left the set, its eviction is over
                return dropLegacyNameHolds().chain(() -> sets.srem(replicaSet, replicaId)).replaceWithVoid();
            }
            SeatEntry seat = SeatEntry.parse(entry);
            // the record gives the leave notice its role and name; the removal itself checks the seat's epoch
            return directory.member(seat.officeId(), seat.sid()).chain(record -> record == null
                    ? Uni.createFrom().voidItem()
                    : membership.removeAndAnnounce(memberSet, seat, record.path("role").asText(), record.path("name").asText()))
                    .chain(() -> evict(replicaSet, memberSet, replicaId));
        });
    }

    private Uni<Void> dropLegacyNameHolds() {
        return keyCommands.del(keys.legacyNameHolds().toArray(String[]::new)).replaceWithVoid();
    }
}
