hog = []
while True:
    hog.append(bytearray(32 * 1024 * 1024))
