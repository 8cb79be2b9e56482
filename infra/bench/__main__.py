from infra.bench.figures import main

if __name__ == "__main__":
    main()
