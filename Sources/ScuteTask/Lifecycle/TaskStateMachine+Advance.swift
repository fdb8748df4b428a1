extension TaskStateMachine {
    private enum Resolution {
        case ready
        case blocked
        case impossible(String)
    }

    /// What to do now: containers to start, health checks to run or cancel, signals to send, or the end.
    package mutating func advance(at now: Duration) -> [Action] {
        var actions: [Action] = []
        if !stopping { startReady(at: now, into: &actions) }
        scheduleHealthChecks(at: now, into: &actions)
        if stopping { stopInOrder(at: now, into: &actions) }
        let reported = reports.map(Action.report)
        reports.removeAll()
        if stopping && !finished && slots.allSatisfy(\.isDone) {
            finished = true
            return reported + actions + [.finish(exitStatus ?? 0)]
        }
        return reported + actions
    }

    /// The next time `advance` has something to do without an event (a health check, a timeout), if any.
    package func nextDeadline() -> Duration? {
        var deadlines: [Duration] = []
        for slot in slots {
            if let deadline = slot.checkDeadline, !slot.checkCancelled { deadlines.append(deadline) }
            if stopping {
                if let killAt = slot.killAt, !slot.killed, slot.phase == .running { deadlines.append(killAt) }
            } else {
                if slot.phase == .waiting { deadlines.append(slot.startTimeout) }
                if slot.phase == .running, slot.checkDeadline == nil, let next = slot.nextCheck { deadlines.append(next) }
            }
        }
        return deadlines.min()
    }

    private mutating func startReady(at now: Duration, into actions: inout [Action]) {
        // Starting one container can make another's START dependency hold: repeat until nothing changes.
        var changed = true
        while changed && !stopping {
            changed = false
            for index in slots.indices where slots[index].phase == .waiting {
                switch resolve(index) {
                case .ready:
                    slots[index].phase = .starting
                    actions.append(.start(index))
                    changed = true
                case .impossible(let reason):
                    notStarted(index, reason)
                    changed = true
                case .blocked:
                    if now >= slots[index].startTimeout {
                        let seconds = slots[index].startTimeout.components.seconds
                        notStarted(index, "its dependencies were not met within its startTimeout of \(seconds) s")
                        changed = true
                    }
                }
            }
        }
    }

    private mutating func notStarted(_ index: Int, _ reason: String) {
        slots[index].phase = .notStarted
        reports.append("container \(slots[index].name) will not start: \(reason)")
        guard slots[index].essential else { return }
        if exitStatus == nil { exitStatus = Self.notStartedStatus }
        beginStop("essential container \(slots[index].name) cannot start")
    }

    private func resolve(_ index: Int) -> Resolution {
        var blocked = false
        for (target, condition) in slots[index].dependencies {
            let slot = slots[target]
            if slot.phase == .notStarted { return .impossible("\(slot.name) never started") }
            switch condition {
            case .start:
                if slot.phase == .waiting || slot.phase == .starting { blocked = true }
            case .complete:
                if case .exited = slot.phase {} else { blocked = true }
            case .success:
                if case .exited(let status) = slot.phase {
                    if status != 0 { return .impossible("\(slot.name) exited with status \(status), not 0") }
                } else {
                    blocked = true
                }
            case .healthy:
                if case .exited = slot.phase { return .impossible("\(slot.name) exited before it was healthy") }
                if slot.phase != .running || slot.health != .healthy { blocked = true }
            }
        }
        return blocked ? .blocked : .ready
    }

    private mutating func scheduleHealthChecks(at now: Duration, into actions: inout [Action]) {
        for index in slots.indices where slots[index].phase == .running && slots[index].healthCheck != nil {
            if let deadline = slots[index].checkDeadline {
                if now >= deadline && !slots[index].checkCancelled {
                    slots[index].checkCancelled = true
                    actions.append(.cancelHealthCheck(index))
                }
            } else if !stopping, let next = slots[index].nextCheck, now >= next, let check = slots[index].healthCheck {
                slots[index].checkDeadline = now + .seconds(check.timeout)
                actions.append(.runHealthCheck(index))
            }
        }
    }

    /// Dependents stop before what they depend on: a container gets SIGTERM once no running container
    /// depends on it, and SIGKILL after its stopTimeout.
    private mutating func stopInOrder(at now: Duration, into actions: inout [Action]) {
        for index in slots.indices where slots[index].phase == .waiting {
            slots[index].phase = .notStarted
        }
        for index in slots.indices where slots[index].phase == .running {
            let needed = slots.contains { other in
                other.phase == .running && other.dependencies.contains { $0.index == index }
            }
            if !needed && !slots[index].terminated {
                slots[index].terminated = true
                slots[index].killAt = now + slots[index].stopTimeout
                actions.append(.terminate(index))
            }
            if let killAt = slots[index].killAt, !slots[index].killed, now >= killAt {
                slots[index].killed = true
                let seconds = slots[index].stopTimeout.components.seconds
                reports.append("container \(slots[index].name) did not stop within \(seconds) s of SIGTERM: sending SIGKILL")
                actions.append(.kill(index))
            }
        }
    }
}

extension TaskStateMachine.Slot {
    /// Exited or never started, and no health check of it still running.
    var isDone: Bool {
        guard checkDeadline == nil else { return false }
        switch phase {
        case .exited, .notStarted: return true
        case .waiting, .starting, .running: return false
        }
    }
}
