package dev.switchboard.bench;

import dev.switchboard.RoomCall;
import dev.switchboard.RoomHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * The benchmark's room handler (variant {@code switchboard-handled}): rules room {@code bench-handled}; every
 * publication is decoded into {@link Sample}, validated, handed to the handler on the handler pool and encoded again —
 * the whole cost of an application's typed handler, with a handler that does nothing else.
 */
@ApplicationScoped
public class BenchRoomHandler implements RoomHandler<BenchRoomHandler.Sample> {

    /** The generator's payload: a sequence number and a send time. */
    public record Sample(@PositiveOrZero long s, long t) {
    }

    @Override
    public String rooms() {
        return Benchmark.HANDLED_ROOM;
    }

    @Override
    public Class<Sample> type() {
        return Sample.class;
    }

    @Override
    public Object onPublish(RoomCall call, Sample sample) {
        return sample;
    }
}
