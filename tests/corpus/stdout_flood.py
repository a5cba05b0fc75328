while True:
    print("flood " * 200)
