import ScuteDefender

print("scute-defender \(defenderVersion)")
